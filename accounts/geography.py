"""Countries the partnership covers and the time zone a profile's country and city imply."""

OTHER_COUNTRY = "OTHER"
# A city or town as people type it: the same limit for a person's city and an event's, since
# one is matched against the other.
CITY_MAX_LENGTH = 100

# The eleven ASEAN members (Timor-Leste joined in 2025) and China, as ISO 3166 codes.
COUNTRY_CODES: tuple[str, ...] = (
    "BN",
    "KH",
    "CN",
    "ID",
    "LA",
    "MY",
    "MM",
    "PH",
    "SG",
    "TH",
    "TL",
    "VN",
)

COUNTRY_ZONES: dict[str, tuple[str, ...]] = {
    "BN": ("Asia/Brunei",),
    "KH": ("Asia/Phnom_Penh",),
    "CN": ("Asia/Shanghai",),
    "ID": ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"),
    "LA": ("Asia/Vientiane",),
    "MY": ("Asia/Kuala_Lumpur", "Asia/Kuching"),
    "MM": ("Asia/Yangon",),
    "PH": ("Asia/Manila",),
    "SG": ("Asia/Singapore",),
    "TH": ("Asia/Bangkok",),
    "TL": ("Asia/Dili",),
    "VN": ("Asia/Ho_Chi_Minh",),
}

# Zones offered to people outside the region, from UTC+6:30 to UTC+9 and UTC itself.
OTHER_ZONES: tuple[str, ...] = (
    "Asia/Yangon",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Makassar",
    "Asia/Dili",
    "Asia/Jayapura",
    "Asia/Tokyo",
    "Europe/London",
    "UTC",
)

# Cities outside a country's first zone, lower-cased, for countries that span several zones.
_CITY_ZONES: dict[str, dict[str, str]] = {
    "ID": {
        **dict.fromkeys(
            (
                "makassar",
                "denpasar",
                "bali",
                "manado",
                "mataram",
                "lombok",
                "kupang",
                "balikpapan",
                "samarinda",
                "banjarmasin",
                "palu",
                "kendari",
                "gorontalo",
                "labuan bajo",
                "bitung",
                "nusantara",
            ),
            "Asia/Makassar",
        ),
        **dict.fromkeys(
            (
                "jayapura",
                "ambon",
                "sorong",
                "manokwari",
                "merauke",
                "ternate",
                "timika",
                "biak",
                "raja ampat",
            ),
            "Asia/Jayapura",
        ),
    },
    "MY": dict.fromkeys(
        ("kuching", "kota kinabalu", "sandakan", "miri", "sibu", "tawau", "labuan", "bintulu"),
        "Asia/Kuching",
    ),
}


def zones_for(country: str | None) -> tuple[str, ...]:
    return COUNTRY_ZONES.get(country or "", OTHER_ZONES)


def derive_timezone(country: str | None, city: str | None, fallback: str) -> str:
    """The zone a person most likely lives in, from what their profile says."""
    zones = COUNTRY_ZONES.get(country or "")
    if not zones:
        return fallback
    by_city = _CITY_ZONES.get(country or "", {})
    return by_city.get((city or "").strip().lower(), zones[0])
