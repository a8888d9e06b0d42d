"""Name pools by origin, weighted the way licensed taxi and PHV drivers in England are made up.

DfT does not publish drivers' ethnicity, but council equality returns and the 2021 Census occupation
tables ("taxi and cab drivers and chauffeurs") agree on the shape: overwhelmingly male, about half of
Pakistani, Bangladeshi or Indian heritage, a fifth White British, then Eastern European, Somali,
Kurdish, Afghan, Arab and West African drivers. The weights below follow that shape; they are a
plausible mix for testing, not a statistic.

Names are written `Name*N` to weight one name N times over the others of its list.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    """One origin's name pools and naming customs."""

    key: str
    weight: int
    male: str
    female: str
    family: str
    female_family: str = (
        ""  # feminine surname forms (Polish -ska, Lithuanian -ienė), if the language has them
    )
    second_given_rate: float = 0.2  # how often a person has two given names
    female_share: float = 0.04  # women are a few per cent of licensed drivers


ORIGINS = [
    Origin(
        "pakistani",
        36,
        male="Mohammed*14 Muhammad*6 Mohammad*2 Imran*3 Asif*2 Tariq*2 Zahid*2 Shahid*2 Khalid Amjad Naveed "
        "Nadeem Waseem*2 Adnan*2 Faisal Usman*2 Bilal*2 Kashif Sajid*2 Majid Arshad Tahir Zubair Irfan "
        "Javed Abdul*2 Aamir Shahzad Qasim Hamza Haroon Rizwan Zeeshan Babar Nasir Shakeel Raheel",
        female="Nasreen Shazia Samina Rukhsana Fatima Ayesha Saima Nazia Sadia Amina Zainab Hina",
        family="Khan*8 Hussain*6 Ahmed*5 Ali*5 Akhtar*3 Iqbal*3 Mahmood*3 Shah*2 Rashid*2 Butt*2 Malik*3 "
        "Aslam*2 Riaz Bashir*2 Rehman*2 Javed*2 Sadiq Mirza Chaudhry*2 Qureshi*2 Raja Anwar Akram*2 "
        "Latif Nawaz Yousaf Saleem Siddique Tariq Mughal Ashraf Arshad Zaman Hanif",
        second_given_rate=0.45,
    ),
    Origin(
        "bangladeshi",
        8,
        male="Mohammed*6 Md*2 Abdul*4 Shahid Jamal Kamal Anwar Mizanur Habibur Shofiqul Rahim Shahjahan "
        "Jahangir Faruk Aminul Nurul Saiful Mujibur",
        female="Rehana Shahida Nazma Rumana Salma Shirin Taslima Fahima",
        family="Miah*5 Uddin*4 Rahman*4 Islam*3 Ahmed*3 Hoque*2 Choudhury*3 Chowdhury Ali*2 Hussain*2 "
        "Khan Alam Begum Haque Sarkar Talukder",
        second_given_rate=0.5,
    ),
    Origin(
        "sikh",
        6,
        male="Gurpreet Harjinder Jaswinder Kulwinder Manjit Sukhwinder Parminder Rajinder Amarjit Baljit "
        "Harpreet Jagdeep Ranjit Satnam Balwinder Gurdeep Tarsem",
        female="Gurpreet Harjinder Jaswinder Kulwinder Manjit Sukhwinder Parminder Rajinder Amarjit",
        family="Singh*12 Sandhu*2 Gill*2 Sidhu*2 Dhillon*2 Bains Johal Atwal Sangha Bhamra Grewal Virdee",
        second_given_rate=0.0,
    ),
    Origin(
        "indian",
        4,
        male="Rajesh Sanjay Vijay Dinesh Amit Mahesh Nilesh Ketan Hitesh Suresh Ramesh Pankaj Vikram",
        female="Priya Anjali Sunita Neha Kavita Hema Meena",
        family="Patel*8 Shah*2 Mistry Parmar Chauhan Solanki Lad Sharma*2 Kumar*2 Desai Joshi Pandya",
        second_given_rate=0.1,
    ),
    Origin(
        "white_british",
        20,
        male="John*3 David*3 Paul*3 Mark*2 Andrew*2 Stephen*2 Michael*3 Peter*2 Gary*2 Ian*2 Robert*2 "
        "Christopher*2 James*2 Anthony Kevin Lee Darren Craig Steven Wayne Neil Richard Martin Simon Jason "
        "William Thomas Daniel Carl Dean",
        female="Susan Julie Karen Tracey Sarah Joanne Lisa Claire Michelle Nicola Helen Amanda Donna",
        family="Smith*5 Jones*4 Williams*3 Taylor*3 Brown*3 Davies*2 Evans*2 Wilson*2 Thomas*2 Johnson*2 "
        "Roberts Robinson Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke "
        "Jackson Wood Turner Cooper Hill Ward Morris Moore Clark King Baker Harrison Morgan Allen Scott "
        "Phillips Watson Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter Bailey Shaw "
        "McDonald MacDonald McKenzie MacLeod O'Brien O'Neill Smith-Jones Fitzgerald",
        second_given_rate=0.35,
        female_share=0.08,
    ),
    Origin(
        "polish",
        3,
        male="Łukasz*2 Piotr*2 Krzysztof Tomasz*2 Paweł Michał Marcin Grzegorz Wojciech Jakub Przemysław",
        female="Agnieszka Katarzyna Małgorzata Joanna Anna Magdalena",
        family="Nowak*2 Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański "
        "Woźniak Dąbrowski Kozłowski",
        female_family="Nowak Kowalska Wiśniewska Wójcik Kowalczyk Kamińska Lewandowska Zielińska",
        second_given_rate=0.15,
    ),
    Origin(
        "romanian",
        3,
        male="Ștefan Andrei Ionuț Mihai Alexandru Florin Cătălin Bogdan Gheorghe Vasile Marius Adrian",
        female="Elena Ioana Mihaela Andreea Cristina",
        family="Popescu Ionescu Popa Stan Dumitru Constantin Stoica Gheorghiu Rădulescu Țurcan Munteanu "
        "Lungu Moldovan",
        second_given_rate=0.25,
    ),
    Origin(
        "lithuanian",
        1,
        male="Tomas Mantas Darius Andrius Giedrius Vytautas Žygimantas Saulius Rimantas",
        female="Rasa Jurgita Inga Vilma",
        family="Kazlauskas Jankauskas Petrauskas Stankevičius Vasiliauskas Žukauskas Butkus Paulauskas",
        female_family="Kazlauskienė Jankauskienė Petrauskienė Stankevičienė Butkienė",
        second_given_rate=0.05,
    ),
    Origin(
        "somali",
        5,
        male="Abdi*2 Mohamed*4 Ahmed*2 Abdirahman*2 Abdullahi*2 Hassan*2 Ali Omar*2 Yusuf Abdikadir Said "
        "Mustafe Liban Abdiaziz",
        female="Fadumo Hodan Amina Sahra Hawa Ifrah Nimco",
        family="Farah*2 Hassan*2 Warsame*2 Yusuf*2 Abdi*2 Mohamed*3 Ali*2 Osman Jama Hersi Egal Aden Ismail "
        "Nur Duale",
        second_given_rate=0.5,
    ),
    Origin(
        "kurdish",
        3,
        male="Aram Rebwar Hawre Karwan Dilshad Shwan Sherko Dara Azad Hemin Rekawt Sirwan Hardi",
        female="Shilan Narin Avan Zhilwan",
        family="Ahmed*2 Mohammed*2 Hassan Rashid Karim Aziz Salih Qadir Mahmud Abdullah Hama Faraj",
        second_given_rate=0.3,
    ),
    Origin(
        "afghan",
        3,
        male="Ahmad*2 Mohammad*2 Abdul*2 Ghulam Najibullah Hamid Wahid Farid Mirwais Nasrullah Zabihullah "
        "Sayed Jawad",
        female="Mariam Fariba Nilofar Zahra",
        family="Ahmadzai Popal Karimi Rahimi Hakimi Noori Sultani Safi Stanekzai Amiri Rahmani Haidari",
        second_given_rate=0.1,
    ),
    Origin(
        "arab",
        2,
        male="Ahmed Mohamed*2 Omar Khaled Mahmoud Ibrahim Yasser Tarek Samir Walid",
        female="Nour Rania Huda Lina",
        family="Al-Sayed Al-Hassan El-Masri Abdelrahman Haddad Khalil Nasser Saleh Mansour Al-Amin",
        second_given_rate=0.3,
    ),
    Origin(
        "west_african",
        3,
        male="Oluwaseun Chukwuemeka Emeka Kwame Kofi Tunde Adebayo Chidi Olusegun Yaw Babatunde",
        female="Folake Ngozi Abena Chioma Funmilayo",
        family="Okafor Adeyemi Mensah Owusu Boateng Okonkwo Adebayo Eze Oyelaran Asante Balogun",
        second_given_rate=0.4,
    ),
]

# Married women of Bangladeshi and Pakistani heritage are often recorded with Begum (or Bibi) as the
# family name; Sikh women with Kaur, as Sikh men with Singh.
TITLE_SURNAMES = {"bangladeshi": ("Begum", 0.5), "pakistani": ("Begum Bibi", 0.2), "sikh": ("Kaur", 0.6)}


def expand(names: str) -> list[str]:
    """Return the names of a `Name*N` list, each repeated by its weight."""
    out = []
    for token in names.split():
        name, _, times = token.partition("*")
        out += [name] * int(times or 1)
    return out
