"""Value types of the org data, each with a check that says what was expected."""

import difflib
import re
from functools import cache
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import AfterValidator

# ISO 3166-1 alpha-2: the officially assigned country codes.
_COUNTRY_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRIES = frozenset(_COUNTRY_CODES.split())

# ISO 639-1: the two-letter language codes.
_LANGUAGE_CODES = """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
    cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi
    ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks
    ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl
    nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl
    sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve
    vi vo wa wo xh yi yo za zh zu
"""
LANGUAGES = frozenset(_LANGUAGE_CODES.split())

ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
MAX_NAME = 200


def check_id(value: str) -> str:
    """An id: 1-128 letters, digits or _ . : -"""
    if not ID_PATTERN.match(value):
        raise ValueError(f"'{value}' is not a valid id (1-128 letters, digits or _ . : -)")
    return value


def check_name(value: str) -> str:
    """A display name: not empty, at most MAX_NAME characters."""
    if not value:
        raise ValueError("name is empty")
    if len(value) > MAX_NAME:
        raise ValueError(f"longer than {MAX_NAME} characters")
    return value


def check_country(value: str) -> str:
    """An ISO 3166-1 alpha-2 code; any case in, upper case out."""
    if value.upper() not in COUNTRIES:
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code (e.g. DE, AT, CZ)")
    return value.upper()


def check_language(value: str) -> str:
    """An ISO 639-1 code; any case in, lower case out."""
    if value.lower() not in LANGUAGES:
        raise ValueError(f"'{value}' is not an ISO 639-1 language code (e.g. de, en, cs)")
    return value.lower()


def check_time_zone(value: str) -> str:
    """An IANA time zone name that zoneinfo knows."""
    if _known_zones().get(value.lower()) != value:
        raise ValueError(f"unknown time zone '{value}'{_zone_hint(value)}")
    return value


def check_email(value: str) -> str:
    """An e-mail address: one @, a local part, a domain with a dot, no spaces."""
    local, _, domain = value.partition("@")
    labels = domain.split(".")
    if value.count("@") != 1 or not local or len(labels) < 2 or not all(labels):
        raise ValueError(f"'{value}' is not an e-mail address (expected name@example.com)")
    if any(c.isspace() for c in value):
        raise ValueError(f"'{value}' is not an e-mail address (it contains a space)")
    return value


@cache
def _known_zones() -> dict[str, str]:
    """The time zones zoneinfo knows, by their lower-case name."""
    return {name.lower(): name for name in available_timezones()}


def _zone_hint(value: str) -> str:
    """The closest known time zone name, or an example."""
    zones = _known_zones()
    close = difflib.get_close_matches(value.lower(), list(zones), n=1)
    if close:
        return f"; did you mean '{zones[close[0]]}'?"
    return " (expected an IANA name such as Europe/Berlin)"


Id = Annotated[str, AfterValidator(check_id)]
Name = Annotated[str, AfterValidator(check_name)]
Country = Annotated[str, AfterValidator(check_country)]
Language = Annotated[str, AfterValidator(check_language)]
TimeZone = Annotated[str, AfterValidator(check_time_zone)]
Email = Annotated[str, AfterValidator(check_email)]
