"""The offer letter as a PDF (WeasyPrint): in Italian, and also in the household's language.

Letters exist in Italian, English and Arabic (right to left). The texts are kept here rather
than in the gettext catalogues because a letter must come out in the household's language
whatever language the staff member uses the site in. Other languages get the Italian letter
only, and the offer page says so.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, translation

LETTER_LANGUAGES = ("it", "en", "ar")
RTL = frozenset({"ar"})

TEXTS: dict[str, dict[str, str]] = {
    "it": {
        "title": "Proposta di alloggio",
        "to": "Alla famiglia",
        "intro": (
            "nell'ambito del progetto di rigenerazione «{plan}», l'alloggio in cui abitate "
            "in {origin} deve essere liberato. Il proprietario, che sostiene le spese del "
            "trasloco, vi propone il seguente alloggio adeguato al vostro nucleo familiare."
        ),
        "unit": "Alloggio proposto",
        "address": "Indirizzo",
        "code": "Codice alloggio",
        "floor": "Piano",
        "area": "Superficie utile",
        "rooms": "Locali",
        "kind": "Tipo di trasferimento",
        "temporary": (
            "Temporaneo: al termine dei lavori avete diritto a rientrare nel vostro edificio."
        ),
        "permanent": "Definitivo.",
        "available": "Disponibile dal",
        "answer": (
            "Potete accettare o rifiutare la proposta presso il laboratorio sociale "
            "{lab} ({address}, tel. {phone}). Se rifiutate, vi chiediamo di indicarne il "
            "motivo: il piano prevede al massimo {refusals} rifiuti."
        ),
        "closing": "Cordiali saluti,",
        "signature": "Il gruppo di lavoro per la mobilità",
        "date": "Data",
        "comma": ",",
    },
    "en": {
        "title": "Offer of a home",
        "to": "To the household",
        "intro": (
            "as part of the regeneration project “{plan}”, the home you live in at {origin} "
            "has to be vacated. The owner, who pays for the move, offers you the following "
            "home, suited to your household."
        ),
        "unit": "Home offered",
        "address": "Address",
        "code": "Unit code",
        "floor": "Floor",
        "area": "Useful floor area",
        "rooms": "Rooms",
        "kind": "Kind of move",
        "temporary": (
            "Temporary: when the works are over you have the right to return to your building."
        ),
        "permanent": "Permanent.",
        "available": "Available from",
        "answer": (
            "You can accept or refuse this offer at the social lab {lab} ({address}, "
            "phone {phone}). If you refuse, please tell us why: the plan allows at most "
            "{refusals} refusals."
        ),
        "closing": "Kind regards,",
        "signature": "The relocation task force",
        "date": "Date",
        "comma": ",",
    },
    "ar": {
        "title": "عرض مسكن",
        "to": "إلى الأسرة",
        "intro": (
            "في إطار مشروع التجديد «{plan}»، يجب إخلاء المسكن الذي تقيمون فيه في {origin}. "
            "يعرض عليكم المالك، الذي يتحمّل تكاليف الانتقال، المسكن التالي المناسب لأسرتكم."
        ),
        "unit": "المسكن المعروض",
        "address": "العنوان",
        "code": "رمز المسكن",
        "floor": "الطابق",
        "area": "المساحة الصالحة للسكن",
        "rooms": "عدد الغرف",
        "kind": "نوع الانتقال",
        "temporary": "مؤقت: بعد انتهاء الأشغال يحق لكم العودة إلى مبناكم.",
        "permanent": "دائم.",
        "available": "متاح ابتداءً من",
        "answer": (
            "يمكنكم قبول هذا العرض أو رفضه في المختبر الاجتماعي {lab} ({address}، "
            "هاتف {phone}). في حال الرفض نرجو أن تذكروا السبب: تسمح الخطة بعدد أقصاه "
            "{refusals} من الرفض."
        ),
        "closing": "مع أطيب التحيات،",
        "signature": "فريق عمل الانتقال",
        "date": "التاريخ",
        "comma": "،",
    },
}


def letter_languages(preferred: str) -> list[str]:
    """Italian first, then the household's language when a letter exists in it."""
    langs = ["it"]
    if preferred in LETTER_LANGUAGES and preferred != "it":
        langs.append(preferred)
    return langs


def _page(offer: Any, lang: str, today: Any) -> dict[str, Any]:
    texts = TEXTS[lang]
    need, lab = offer.need, offer.need.plan.lab
    origin = need.origin_unit.building.address if need.origin_unit else ""
    available_from = getattr(offer, "available_from", None)
    if lang in RTL:  # numeric dates: no Italian month names inside an Arabic letter
        day = today.strftime("%d/%m/%Y")
        available = available_from.strftime("%d/%m/%Y") if available_from else ""
    else:
        with translation.override(lang):
            day = formats.date_format(today, "DATE_FORMAT")
            available = formats.date_format(available_from, "DATE_FORMAT") if available_from else ""
    values = {
        "plan": need.plan.name,
        "origin": origin,
        "lab": lab.name,
        "address": lab.address,
        "phone": lab.phone,
        "refusals": need.plan.refusals_allowed,
    }
    return {
        "lang": lang,
        "dir": "rtl" if lang in RTL else "ltr",
        "t": texts,
        "intro": texts["intro"].format(**values),
        "answer": texts["answer"].format(**values),
        "kind": texts[offer.move_kind],
        "day": day,
        "available": available,
    }


def offer_letter_html(*, offer: Any, preferred_language: str, today: Any) -> str:
    """The letter's HTML: one section (one printed page) per language, Italian first."""
    pages = [_page(offer, lang, today) for lang in letter_languages(preferred_language)]
    return render_to_string(
        "relocation/offer_letter.html",
        {"offer": offer, "need": offer.need, "unit": offer.unit, "pages": pages},
    )


def offer_letter_pdf(*, offer: Any, preferred_language: str, today: Any) -> bytes:
    """Render the offer letter as a PDF (WeasyPrint shapes Arabic right to left)."""
    from weasyprint import HTML

    html = offer_letter_html(offer=offer, preferred_language=preferred_language, today=today)
    return bytes(HTML(string=html).write_pdf())
