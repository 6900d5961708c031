from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProcessStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("process status", "Draft")
    PUBLISHED = "published", pgettext_lazy("process status", "Published")
    CLOSED = "closed", pgettext_lazy("process status", "Closed")


class PhaseKind(models.TextChoices):
    INFORMATION = "information", _("Information")
    PROPOSALS = "proposals", _("Proposals")
    WORKSHOPS = "workshops", _("Workshops")
    SUPPORTS = "supports", _("Supports")
    EVALUATION = "evaluation", _("Evaluation")
    RESULTS = "results", _("Results")


class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("proposal status", "Awaiting moderation")
    PUBLISHED = "published", pgettext_lazy("proposal status", "Published")
    REFUSED = "refused", pgettext_lazy("proposal status", "Not admitted")
    IN_EVALUATION = "in_evaluation", pgettext_lazy("proposal status", "In evaluation")
    ACCEPTED = "accepted", pgettext_lazy("proposal status", "Accepted")
    PARTLY_ACCEPTED = "partly_accepted", pgettext_lazy("proposal status", "Partly accepted")
    REJECTED = "rejected", pgettext_lazy("proposal status", "Rejected")


# Statuses shown on the public pages.
PUBLIC_PROPOSAL_STATUSES = frozenset(
    {
        ProposalStatus.PUBLISHED,
        ProposalStatus.IN_EVALUATION,
        ProposalStatus.ACCEPTED,
        ProposalStatus.PARTLY_ACCEPTED,
        ProposalStatus.REJECTED,
    }
)
OUTCOME_STATUSES = frozenset(
    {ProposalStatus.ACCEPTED, ProposalStatus.PARTLY_ACCEPTED, ProposalStatus.REJECTED}
)


class ProposalChannel(models.TextChoices):
    ONLINE = "online", _("Online, by the resident")
    STAFF = "staff", _("Entered by the lab for a resident")


class CommentStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("comment status", "Awaiting moderation")
    APPROVED = "approved", pgettext_lazy("comment status", "Approved")
    HIDDEN = "hidden", pgettext_lazy("comment status", "Hidden")
