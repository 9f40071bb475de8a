"""Search and filter parameters the database would refuse: a clear 400, never a 500."""

import pytest

pytestmark = pytest.mark.django_db

SEARCHES = [
    "/suppliers/classifications/?q=",
    "/tenders/?q=",
    "/suppliers/directory/?q=",
    "/api/v1/tenders/?q=",
    "/api/v1/suppliers/?search=",
]


@pytest.fixture
def anonymous(client):
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("url", SEARCHES)
def test_a_nul_byte_in_a_search_is_a_clear_400(anonymous, url):
    response = anonymous.get(url + "%00")
    assert response.status_code == 400


def test_a_nul_byte_in_the_classification_search_is_a_400_with_production_settings(anonymous, settings):
    settings.DEBUG = False
    response = anonymous.get("/suppliers/classifications/?q=%00", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "not allowed" in response.content.decode()


def test_an_over_long_filter_value_is_a_400_naming_the_parameter(anonymous):
    response = anonymous.get("/api/v1/tenders/?q=" + "a" * 5000)
    assert response.status_code == 400
    assert "q" in response.json()["detail"]


def test_a_nul_byte_in_a_path_parameter_is_a_400(anonymous):
    assert anonymous.get("/api/v1/ocds/releases/ocds-x%00/").status_code == 400


def test_an_ordinary_search_still_works(anonymous):
    assert anonymous.get("/tenders/?q=%EC%84%9C%EB%B2%84").status_code == 200


@pytest.mark.parametrize("value", ["1e-999999", "-1e999999", "1e999999"])
@pytest.mark.parametrize("url", ["/tenders/?value_min=", "/api/v1/tenders/?value_max="])
def test_a_numeric_filter_out_of_the_columns_range_never_reaches_the_database(anonymous, url, value):
    assert anonymous.get(url + value).status_code in (200, 422)
