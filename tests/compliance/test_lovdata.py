"""Legal references: the laws named in full, every section linked to Lovdata."""

from hms_tracker.compliance.lovdata import legal_reference

AML = "https://lovdata.no/lov/2005-06-17-62/§"
ORG = "https://lovdata.no/forskrift/2011-12-06-1355/§"
IK = "https://lovdata.no/forskrift/1996-12-06-1127/§"


def _links(basis: str) -> list[str]:
    text = str(legal_reference(basis))
    return [part.split('"')[0] for part in text.split('href="')[1:]]


def test_the_act_and_the_regulation_are_named_in_full_and_linked():
    text = str(legal_reference("AML § 6-1, forskrift § 3-1"))
    assert text.startswith("arbeidsmiljøloven § <a")
    assert "forskrift om organisering, ledelse og medvirkning § <a" in text
    assert _links("AML § 6-1, forskrift § 3-1") == [f"{AML}6-1", f"{ORG}3-1"]


def test_several_sections_each_get_a_link():
    basis = "AML § 6-5, forskrift om organisering, ledelse og medvirkning §§ 3-18, 3-19"
    assert _links(basis) == [f"{AML}6-5", f"{ORG}3-18", f"{ORG}3-19"]
    assert _links("AML § 2A-6") == [f"{AML}2A-6"]


def test_internal_control_links_the_section_not_its_numbered_items():
    assert _links("internkontrollforskriften § 5 nr. 6 og 8") == [f"{IK}5"]
    assert str(legal_reference("internkontrollforskriften § 5 nr. 6 og 8")).endswith("nr. 6 og 8")


def test_unknown_text_is_kept_and_escaped():
    assert str(legal_reference("bedriftens eget krav")) == "bedriftens eget krav"
    assert str(legal_reference("<b>§ 1</b>")) == "&lt;b&gt;§ 1&lt;/b&gt;"
