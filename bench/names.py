"""Name variants the benchmark uses to disguise a person: transliterations and nicknames.

These lists are deliberately independent of the engine's own tables (licensing/matching/data/): the
benchmark reads those too, but a set drawn only from them would test the engine against itself.
"""

import csv
from pathlib import Path

ENGINE_DATA = Path(__file__).resolve().parent.parent / "licensing" / "matching" / "data"

# Spellings of one name in Latin script seen on UK documents (Arabic, Urdu, Bengali, Somali, Slavic,
# Turkish origins), and spellings that differ only by diacritics a form or a keyboard dropped.
TRANSLITERATIONS = [
    "Mohammed Muhammad Mohamed Mohammad Muhammed Mohamad Mohd Mahomed",
    "Hussain Hussein Husain Hossain Husein",
    "Choudhury Chowdhury Chaudhry Chaudhary Choudhry",
    "Yusuf Yousaf Yousuf Yusef Yousef",
    "Ahmed Ahmad Ahmet",
    "Rahman Rehman Rahmaan",
    "Mahmood Mahmud Mehmood Mahmoud",
    "Siddiqui Siddiqi Siddique",
    "Qureshi Quraishi Kureshi",
    "Sheikh Shaikh Shaykh",
    "Osman Usman Othman",
    "Omar Umar",
    "Hassan Hasan",
    "Hamid Hameed",
    "Rashid Rasheed",
    "Majid Majeed",
    "Tariq Tarik Tarek",
    "Faisal Faysal Feisal",
    "Javed Javaid Javid",
    "Nadeem Nadim",
    "Waseem Wasim",
    "Saleem Salim",
    "Kareem Karim",
    "Raheem Rahim",
    "Abdullah Abdallah",
    "Ibrahim Ebrahim Ibraheem",
    "Ismail Ismael Esmail",
    "Yasin Yaseen Yassin",
    "Mustafa Mostafa Moustafa",
    "Imran Imraan",
    "Iqbal Ikbal",
    "Zahid Zaheed",
    "Maxamed Mohamed Mohamud",
    "Cabdi Abdi",
    "Warsame Warsama",
    "Aleksandr Alexander Oleksandr",
    "Sergei Sergey Serhiy",
    "Dmitri Dmitry Dmytro",
    "Yevgeny Evgeny Yevgeniy",
    "Andriy Andrei Andrey",
    "Yuri Yury Iurii",
    "Mikhail Mihail Mykhailo",
    "Łukasz Lukasz",
    "Wójcik Wojcik",
    "Kowalczyk Kowalczik",
    "Yılmaz Yilmaz",
    "Özdemir Ozdemir",
    "Çelik Celik",
    "Şahin Sahin",
    "Mehmet Mehmed",
    "Gonçalves Goncalves",
    "José Jose",
    "Nuñez Nunez",
    "Müller Mueller Muller",
    "Singh Sing",
    "Sandhu Sandu",
    "Dhillon Dillon",
]

NICKNAMES = [
    "William Bill Will Billy Liam",
    "Robert Bob Rob Bobby",
    "Richard Rick Rich Dick",
    "James Jim Jimmy Jamie",
    "John Jack Johnny",
    "Michael Mike Mick",
    "Thomas Tom Tommy",
    "Anthony Tony",
    "Christopher Chris",
    "Daniel Dan Danny",
    "David Dave",
    "Edward Ed Ted Eddie",
    "Joseph Joe",
    "Matthew Matt",
    "Nicholas Nick",
    "Peter Pete",
    "Stephen Steve",
    "Steven Steve",
    "Andrew Andy",
    "Alexander Alex",
    "Benjamin Ben",
    "Samuel Sam",
    "Jonathan Jon",
    "Timothy Tim",
    "Kenneth Ken",
    "Patrick Pat Paddy",
    "Charles Charlie",
    "Henry Harry",
    "Raymond Ray",
    "Ronald Ron",
    "Philip Phil",
    "Frederick Fred",
    "Gregory Greg",
    "Margaret Maggie Peggy",
    "Elizabeth Liz Beth Betty",
    "Katherine Kate Kathy",
    "Catherine Cathy Kate",
    "Jennifer Jenny",
    "Susan Sue",
    "Rebecca Becky",
    "Deborah Debbie",
    "Patricia Trish Pat",
    "Victoria Vicky",
    "Samantha Sam",
    "Jacqueline Jackie",
    "Christine Chris",
    "Mohammed Mo",
]


def _groups(lines: list[str]) -> dict[str, list[str]]:
    """Map each lower-cased name to the other names of its group."""
    index: dict[str, list[str]] = {}
    for line in lines:
        names = line.split()
        for name in names:
            variants = index.setdefault(name.lower(), [])
            variants.extend(n for n in names if n.lower() != name.lower() and n not in variants)
    return index


def _engine_table(name: str) -> list[str]:
    """Read one of the engine's name tables (no header, one group per row), if it exists yet."""
    path = ENGINE_DATA / name
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as handle:
        rows = [[cell.strip().title() for cell in row if cell.strip()] for row in csv.reader(handle)]
    return [" ".join(row) for row in rows if len(row) > 1 and " " not in "".join(row)]


def transliterations() -> dict[str, list[str]]:
    """Return name -> variants, from our own list and the engine's tables combined."""
    return _groups(
        TRANSLITERATIONS + _engine_table("transliterations.csv") + _engine_table("surname_variants.csv")
    )


def equivalents() -> dict[str, list[str]]:
    """Return name -> the same name in another language (Tomasz, Thomas), from the engine's table."""
    return _groups(_engine_table("equivalents.csv"))


def nicknames() -> dict[str, list[str]]:
    """Return formal name -> nicknames (and back), from our own list and the engine's tables."""
    return _groups(NICKNAMES + _engine_table("nicknames.csv"))
