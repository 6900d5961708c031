import time
import pytest

@pytest.mark.browser
def test_probe(server, login, page):
    t = time.monotonic()
    login("coord.lorenteggio")
    page.goto(server + "/backoffice/buildings/map/")
    page.wait_for_timeout(1500)
    print("ignored", page.browser_errors.ignored[:3], len(page.browser_errors.ignored))
    print("errors", page.browser_errors.errors)
    r = page.request.get(server + "/static/css/bootstrap-italia.min.css")
    print(r.status, time.monotonic() - t)
