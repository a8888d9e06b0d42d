"""Towns where drivers live, with real postcode districts, and made-up street names."""

import random

# Town, weight, and real outward codes (postcode districts) of that town. Weighted toward the places
# that supply most out-of-area drivers (Wolverhampton licenses drivers from all over England).
TOWNS = [
    ("Birmingham", 14, "B6 B7 B8 B9 B10 B11 B12 B16 B19 B20 B21 B23 B26 B33 B36 B44"),
    ("Wolverhampton", 6, "WV1 WV2 WV3 WV4 WV6 WV10 WV11 WV14"),
    ("Walsall", 3, "WS1 WS2 WS3 WS5"),
    ("Dudley", 2, "DY1 DY2 DY3"),
    ("Coventry", 3, "CV1 CV2 CV3 CV6"),
    ("Manchester", 8, "M8 M11 M12 M13 M14 M16 M19 M40"),
    ("Oldham", 3, "OL1 OL4 OL8 OL9"),
    ("Bolton", 2, "BL1 BL2 BL3"),
    ("Blackburn", 2, "BB1 BB2"),
    ("Leeds", 4, "LS6 LS7 LS8 LS9 LS11 LS12"),
    ("Bradford", 6, "BD1 BD3 BD4 BD5 BD7 BD8 BD9"),
    ("Huddersfield", 2, "HD1 HD2 HD3"),
    ("Sheffield", 4, "S2 S3 S4 S8 S9 S11"),
    ("Rotherham", 3, "S60 S61 S65"),
    ("Leicester", 4, "LE1 LE2 LE3 LE4 LE5"),
    ("Nottingham", 3, "NG1 NG2 NG3 NG7"),
    ("Derby", 2, "DE1 DE22 DE23 DE24"),
    ("Luton", 3, "LU1 LU2 LU3 LU4"),
    ("Slough", 2, "SL1 SL2 SL3"),
    ("Peterborough", 2, "PE1 PE2 PE3 PE4"),
    ("London", 6, "E1 E3 E6 E7 E12 E13 E17 N9 N17 NW10 SE15 SW17"),
    ("Ilford", 1, "IG1 IG2 IG3"),
    ("Southall", 1, "UB1 UB2"),
    ("Liverpool", 2, "L4 L7 L8 L15"),
    ("Bristol", 2, "BS2 BS5 BS6"),
    ("Newcastle upon Tyne", 1, "NE4 NE6 NE15"),
    ("Cardiff", 2, "CF10 CF11 CF14 CF23 CF24"),
    ("Glasgow", 2, "G3 G5 G12 G20 G31 G41 G42"),
]

STREET_NAMES = [
    "Victoria",
    "Church",
    "Park",
    "Station",
    "Mill",
    "Albert",
    "Queens",
    "Kings",
    "Green",
    "Manor",
    "Grange",
    "Highfield",
    "Springfield",
    "Oak",
    "Beech",
    "Elm",
    "Ash",
    "Willow",
    "Clifton",
    "Belgrave",
    "Whitehall",
    "Lime",
    "Alexandra",
    "Windsor",
    "York",
    "Cromwell",
    "Hamilton",
    "Stanley",
    "Grosvenor",
    "Stratford",
    "Warwick",
    "Melbourne",
    "Nelson",
    "Wellington",
    "Cemetery",
    "Carlton",
    "Derwent",
    "Hollins",
    "Moorland",
    "Cavendish",
    "Tudor",
    "Laurel",
    "Chestnut",
    "Sycamore",
    "Hawthorn",
    "Linden",
    "Princess",
    "Marlborough",
]
STREET_KINDS = [
    "Road*6",
    "Street*5",
    "Avenue*2",
    "Lane*2",
    "Close",
    "Drive",
    "Grove",
    "Terrace",
    "Way",
    "Crescent",
    "Place",
    "Gardens",
]
# Inward codes never use C, I, K, M, O or V in their two letters.
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def street_kinds() -> list[str]:
    """Return the street kinds, repeated by weight."""
    out = []
    for token in STREET_KINDS:
        kind, _, times = token.partition("*")
        out += [kind] * int(times or 1)
    return out


_KINDS = street_kinds()
_TOWN_WEIGHTS = [weight for _, weight, _ in TOWNS]


def make_address(rng: random.Random) -> tuple[str, str]:
    """Return a made-up street address in a real town and a well-formed postcode in that town."""
    town, _, districts = rng.choices(TOWNS, weights=_TOWN_WEIGHTS)[0]
    number = rng.choice([rng.randint(1, 60), rng.randint(1, 250)])
    flat = f"Flat {rng.randint(1, 12)}, " if rng.random() < 0.08 else ""
    street = f"{rng.choice(STREET_NAMES)} {rng.choice(_KINDS)}"
    inward = f"{rng.randint(0, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
    return f"{flat}{number} {street}, {town}", f"{rng.choice(districts.split())} {inward}"
