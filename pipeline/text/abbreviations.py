"""Written abbreviations of US news style and what a narrator says for each.

Sources: the AP Stylebook's month, state and military-title abbreviations; each service's rank
list (DoD grade tables). Keys are written exactly as they appear in text, periods included.
"""

from __future__ import annotations

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}
MONTH_NAMES = {v: k.capitalize() for k, v in MONTHS.items()}
MONTH_ABBREVIATIONS = {
    "Jan.": "January", "Feb.": "February", "Mar.": "March", "Apr.": "April", "Jun.": "June",
    "Jul.": "July", "Aug.": "August", "Sept.": "September", "Sep.": "September",
    "Oct.": "October", "Nov.": "November", "Dec.": "December",
}
WEEKDAY_ABBREVIATIONS = {
    "Mon.": "Monday", "Tue.": "Tuesday", "Tues.": "Tuesday", "Wed.": "Wednesday",
    "Thu.": "Thursday", "Thur.": "Thursday", "Thurs.": "Thursday", "Fri.": "Friday",
    "Sat.": "Saturday", "Sun.": "Sunday",
}

# AP style (used in datelines and running text) and USPS codes (used after a city and comma).
AP_STATES = {
    "Ala.": "Alabama", "Ariz.": "Arizona", "Ark.": "Arkansas", "Calif.": "California",
    "Colo.": "Colorado", "Conn.": "Connecticut", "Del.": "Delaware", "Fla.": "Florida",
    "Ga.": "Georgia", "Ill.": "Illinois", "Ind.": "Indiana", "Kan.": "Kansas", "Kans.": "Kansas",
    "Ky.": "Kentucky", "La.": "Louisiana", "Md.": "Maryland", "Mass.": "Massachusetts",
    "Mich.": "Michigan", "Minn.": "Minnesota", "Miss.": "Mississippi", "Mo.": "Missouri",
    "Mont.": "Montana", "Neb.": "Nebraska", "Nebr.": "Nebraska", "Nev.": "Nevada",
    "N.H.": "New Hampshire", "N.J.": "New Jersey", "N.M.": "New Mexico", "N.Y.": "New York",
    "N.C.": "North Carolina", "N.D.": "North Dakota", "Okla.": "Oklahoma", "Ore.": "Oregon",
    "Pa.": "Pennsylvania", "R.I.": "Rhode Island", "S.C.": "South Carolina",
    "S.D.": "South Dakota", "Tenn.": "Tennessee", "Vt.": "Vermont", "Va.": "Virginia",
    "Wash.": "Washington", "W.Va.": "West Virginia", "W. Va.": "West Virginia",
    "Wis.": "Wisconsin", "Wyo.": "Wyoming", "D.C.": "D-C",
}
POSTAL_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
    "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island",
    "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah",
    "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming",
}

# Military ranks and grades, written as AP style and the services write them in bylines.
# Longest first matters when matching, so callers sort by length.
RANKS = {
    # Air Force and Space Force enlisted
    "Airman Basic": "Airman Basic", "Amn.": "Airman", "Airman 1st Class": "Airman First Class",
    "A1C": "Airman First Class", "SrA.": "Senior Airman", "SrA": "Senior Airman",
    "Senior Airman": "Senior Airman", "Staff Sgt.": "Staff Sergeant", "SSgt.": "Staff Sergeant",
    "SSgt": "Staff Sergeant", "Tech. Sgt.": "Technical Sergeant", "TSgt.": "Technical Sergeant",
    "TSgt": "Technical Sergeant", "Master Sgt.": "Master Sergeant", "MSgt.": "Master Sergeant",
    "MSgt": "Master Sergeant", "Senior Master Sgt.": "Senior Master Sergeant",
    "SMSgt.": "Senior Master Sergeant", "SMSgt": "Senior Master Sergeant",
    "Chief Master Sgt.": "Chief Master Sergeant", "CMSgt.": "Chief Master Sergeant",
    "CMSgt": "Chief Master Sergeant",
    "Chief Master Sgt. of the Air Force": "Chief Master Sergeant of the Air Force",
    "CMSAF": "Chief Master Sergeant of the Air Force",
    "Spc1": "Specialist One", "Spc2": "Specialist Two", "Spc3": "Specialist Three",
    "Spc4": "Specialist Four", "Sgt.": "Sergeant",
    # officers, all services
    "2nd Lt.": "Second Lieutenant", "2d Lt.": "Second Lieutenant", "2Lt.": "Second Lieutenant",
    "1st Lt.": "First Lieutenant", "1Lt.": "First Lieutenant", "Lt.": "Lieutenant",
    "Capt.": "Captain", "Maj.": "Major", "Lt. Col.": "Lieutenant Colonel",
    "Col.": "Colonel", "Brig. Gen.": "Brigadier General", "Maj. Gen.": "Major General",
    "Lt. Gen.": "Lieutenant General", "Gen.": "General",
    # Army and Marine Corps enlisted
    "Pvt.": "Private", "Pvt. 2": "Private Second Class", "Pfc.": "Private First Class",
    "PFC": "Private First Class", "Spc.": "Specialist", "Cpl.": "Corporal",
    "Lance Cpl.": "Lance Corporal", "Staff Sgt": "Staff Sergeant",
    "Sgt. 1st Class": "Sergeant First Class", "Gunnery Sgt.": "Gunnery Sergeant",
    "Gunny Sgt.": "Gunnery Sergeant", "1st Sgt.": "First Sergeant", "Sgt. Maj.": "Sergeant Major",
    "Master Gunnery Sgt.": "Master Gunnery Sergeant",
    "Command Sgt. Maj.": "Command Sergeant Major",
    "Sgt. Maj. of the Army": "Sergeant Major of the Army",
    "Warrant Officer": "Warrant Officer", "Chief Warrant Officer": "Chief Warrant Officer",
    "CW2": "Chief Warrant Officer Two", "CW3": "Chief Warrant Officer Three",
    "CW4": "Chief Warrant Officer Four", "CW5": "Chief Warrant Officer Five",
    # Navy and Coast Guard
    "Seaman Recruit": "Seaman Recruit", "Seaman Apprentice": "Seaman Apprentice",
    "Seaman": "Seaman", "Petty Officer 3rd Class": "Petty Officer Third Class",
    "Petty Officer 2nd Class": "Petty Officer Second Class",
    "Petty Officer 1st Class": "Petty Officer First Class",
    "Chief Petty Officer": "Chief Petty Officer",
    "Senior Chief Petty Officer": "Senior Chief Petty Officer",
    "Master Chief Petty Officer": "Master Chief Petty Officer",
    "Ensign": "Ensign", "Lt. j.g.": "Lieutenant Junior Grade",
    "Lt. j.g": "Lieutenant Junior Grade", "Lt. Cmdr.": "Lieutenant Commander",
    "Cmdr.": "Commander", "Rear Adm.": "Rear Admiral", "Vice Adm.": "Vice Admiral",
    "Adm.": "Admiral",
    # Navy ratings that bylines carry as the rank ("Mass Communication Specialist 2nd Class")
    "Mass Communication Specialist Seaman Recruit": "Mass Communication Specialist Seaman Recruit",
    "Mass Communication Specialist Seaman Apprentice": "Mass Communication Specialist Seaman Apprentice",
    "Mass Communication Specialist Seaman": "Mass Communication Specialist Seaman",
    "Mass Communication Specialist 3rd Class": "Mass Communication Specialist Third Class",
    "Mass Communication Specialist 2nd Class": "Mass Communication Specialist Second Class",
    "Mass Communication Specialist 1st Class": "Mass Communication Specialist First Class",
    "Chief Mass Communication Specialist": "Chief Mass Communication Specialist",
    "Senior Chief Mass Communication Specialist": "Senior Chief Mass Communication Specialist",
    "Master Chief Mass Communication Specialist": "Master Chief Mass Communication Specialist",
    # already spelled out (bylines often do)
    "Airman": "Airman", "Staff Sergeant": "Staff Sergeant",
    "Technical Sergeant": "Technical Sergeant", "Master Sergeant": "Master Sergeant",
    "Senior Master Sergeant": "Senior Master Sergeant",
    "Chief Master Sergeant": "Chief Master Sergeant", "Second Lieutenant": "Second Lieutenant",
    "First Lieutenant": "First Lieutenant", "Captain": "Captain", "Major": "Major",
    "Lieutenant Colonel": "Lieutenant Colonel", "Colonel": "Colonel",
    "Brigadier General": "Brigadier General", "Major General": "Major General",
    "Lieutenant General": "Lieutenant General", "General": "General",
    "Airman First Class": "Airman First Class", "Sergeant": "Sergeant",
    "Corporal": "Corporal", "Private": "Private", "Specialist": "Specialist",
}

# Grades written without periods, as the services' own style writes them ("CMSgt", "LCpl", "SSG",
# "PO1"): read only before a name, since some are also words or other abbreviations ("MSG").
RANKS_BEFORE_NAME = {
    "Amn": "Airman", "AB": "Airman Basic", "LCpl": "Lance Corporal", "Cpl": "Corporal", "Sgt": "Sergeant",
    "SSgt": "Staff Sergeant", "GySgt": "Gunnery Sergeant", "MSgt": "Master Sergeant", "1stSgt": "First Sergeant",
    "MGySgt": "Master Gunnery Sergeant", "SgtMaj": "Sergeant Major", "Pvt": "Private", "PFC": "Private First Class",
    "Pfc": "Private First Class", "PV2": "Private Second Class", "SPC": "Specialist", "CPL": "Corporal",
    "SGT": "Sergeant", "SSG": "Staff Sergeant", "SFC": "Sergeant First Class", "MSG": "Master Sergeant",
    "1SG": "First Sergeant", "SGM": "Sergeant Major", "CSM": "Command Sergeant Major", "WO1": "Warrant Officer One",
    "CWO2": "Chief Warrant Officer Two", "CWO3": "Chief Warrant Officer Three", "CWO4": "Chief Warrant Officer Four",
    "CWO5": "Chief Warrant Officer Five", "PO1": "Petty Officer First Class", "PO2": "Petty Officer Second Class",
    "PO3": "Petty Officer Third Class", "CPO": "Chief Petty Officer", "SCPO": "Senior Chief Petty Officer",
    "MCPO": "Master Chief Petty Officer", "ENS": "Ensign", "LTJG": "Lieutenant Junior Grade",
    "LCDR": "Lieutenant Commander", "CDR": "Commander", "CAPT": "Captain", "LT": "Lieutenant",
    "2nd Lt": "Second Lieutenant", "1st Lt": "First Lieutenant", "Lt Col": "Lieutenant Colonel",
    "Capt": "Captain", "Maj": "Major", "Col": "Colonel", "Gen": "General", "Lt": "Lieutenant",
    "MCPON": "Master Chief Petty Officer of the Navy",
}

TITLES = {
    "Mr.": "Mister", "Mrs.": "Missus", "Ms.": "Miz", "Dr.": "Doctor", "Prof.": "Professor",
    "Rev.": "Reverend", "Sen.": "Senator", "Rep.": "Representative", "Gov.": "Governor",
    "Lt. Gov.": "Lieutenant Governor", "Pres.": "President", "Supt.": "Superintendent",
    "Hon.": "Honorable", "Jr.": "Junior", "Sr.": "Senior", "Fr.": "Father", "Sr": "Senior",
    "Jr": "Junior",
}

# Abbreviations read differently before a name (St. Louis) than after a number (Main St.).
PLACE_PREFIXES = {"St.": "Saint", "Mt.": "Mount", "Ft.": "Fort", "Pt.": "Point"}
STREET_SUFFIXES = {
    "St.": "Street", "Ave.": "Avenue", "Blvd.": "Boulevard", "Rd.": "Road", "Dr.": "Drive",
    "Ln.": "Lane", "Ct.": "Court", "Hwy.": "Highway", "Pkwy.": "Parkway",
}

OTHER = {
    "Ret.": "retired", "Bldg.": "Building",
    # units, as the services abbreviate them after a number ("1st Bn., 5th Marines")
    "Bn.": "Battalion", "Bde.": "Brigade", "Regt.": "Regiment", "Sqdn.": "Squadron", "Sqn.": "Squadron",
    "Div.": "Division", "Det.": "Detachment", "Grp.": "Group", "Bty.": "Battery",
    "Abn.": "Airborne", "Inf.": "Infantry", "Armd.": "Armored", "Cav.": "Cavalry", "Mech.": "Mechanized",
    "Avn.": "Aviation", "Engr.": "Engineer", "Arty.": "Artillery", "Spt.": "Support",
    "etc.": "et cetera", "e.g.": "for example", "i.e.": "that is", "vs.": "versus", "v.": "versus",
    "approx.": "approximately", "dept.": "department", "Dept.": "Department", "No.": "number",
    "Nos.": "numbers", "Inc.": "Incorporated", "Corp.": "Corporation", "Co.": "Company",
    "Ltd.": "Limited", "Bros.": "Brothers", "Univ.": "University", "Gov't": "Government",
    "a.m.": "A-M", "p.m.": "P-M", "A.M.": "A-M", "P.M.": "P-M", "U.S.": "U-S",
    "U.S.A.": "U-S-A", "U.K.": "U-K", "U.N.": "U-N", "U.S.S.R.": "U-S-S-R", "E.U.": "E-U",
    "B.C.": "B-C", "A.D.": "A-D", "Ph.D.": "P-H-D", "a.k.a.": "also known as",
}

# Units written after a number.
UNITS = {
    "mph": ("mile per hour", "miles per hour"), "km/h": ("kilometer per hour", "kilometers per hour"),
    "kph": ("kilometer per hour", "kilometers per hour"), "km": ("kilometer", "kilometers"),
    "mi.": ("mile", "miles"), "mi": ("mile", "miles"), "m": ("meter", "meters"),
    "cm": ("centimeter", "centimeters"), "mm": ("millimeter", "millimeters"),
    "kg": ("kilogram", "kilograms"), "g": ("gram", "grams"), "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"), "lbs.": ("pound", "pounds"), "lb.": ("pound", "pounds"),
    "oz": ("ounce", "ounces"), "oz.": ("ounce", "ounces"), "ft": ("foot", "feet"),
    "ft.": ("foot", "feet"), "in.": ("inch", "inches"), "yd": ("yard", "yards"),
    "yds": ("yard", "yards"), "gal": ("gallon", "gallons"), "gal.": ("gallon", "gallons"),
    "L": ("liter", "liters"), "ml": ("milliliter", "milliliters"), "mL": ("milliliter", "milliliters"),
    "kt": ("knot", "knots"), "kts": ("knot", "knots"), "nm": ("nautical mile", "nautical miles"),
    "hp": ("horsepower", "horsepower"), "kW": ("kilowatt", "kilowatts"), "MW": ("megawatt", "megawatts"),
    "kV": ("kilovolt", "kilovolts"), "GHz": ("gigahertz", "gigahertz"), "MHz": ("megahertz", "megahertz"),
    "kHz": ("kilohertz", "kilohertz"), "Hz": ("hertz", "hertz"), "GB": ("gigabyte", "gigabytes"),
    "MB": ("megabyte", "megabytes"), "TB": ("terabyte", "terabytes"), "KB": ("kilobyte", "kilobytes"),
    "sq. ft.": ("square foot", "square feet"), "sq ft": ("square foot", "square feet"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"), "°C": ("degree Celsius", "degrees Celsius"),
    "F": ("degree Fahrenheit", "degrees Fahrenheit"), "C": ("degree Celsius", "degrees Celsius"),
    "kt.": ("knot", "knots"), "sec": ("second", "seconds"), "min": ("minute", "minutes"),
    "hrs": ("hour", "hours"), "hr": ("hour", "hours"),
    "hrs.": ("hour", "hours"), "hr.": ("hour", "hours"), "min.": ("minute", "minutes"), "sec.": ("second", "seconds"),
    "mins": ("minute", "minutes"), "secs": ("second", "seconds"), "MT": ("megaton", "megatons"),
    "kilotons": ("kiloton", "kilotons"),
}


def sentence_safe_abbreviations() -> set[str]:
    """Abbreviations after which a period does not end the sentence (a name or number follows)."""
    keep = set(MONTH_ABBREVIATIONS) | set(WEEKDAY_ABBREVIATIONS) | set(TITLES) | set(PLACE_PREFIXES)
    for rank in RANKS:
        for word in rank.split():
            if word.endswith("."):
                keep.add(word)
    keep |= {"No.", "Nos.", "vs.", "v.", "e.g.", "i.e.", "approx.", "a.k.a.", "Gen.", "Lt.", "Col.",
             "Maj.", "Capt.", "Sgt.", "Adm.", "Cmdr.", "Brig.", "Tech.", "Pvt.", "Cpl.", "Spc.",
             "Pfc.", "Amn.", "SrA."}
    return keep


# Abbreviations that end with a period and may also end a sentence ("...in the U.S. The ...").
SENTENCE_FINAL_ABBREVIATIONS = (
    set(AP_STATES) | {"U.S.", "U.K.", "U.N.", "U.S.S.R.", "E.U.", "D.C.", "a.m.", "p.m.", "A.M.",
                      "P.M.", "etc.", "Inc.", "Corp.", "Co.", "Ltd.", "Jr.", "Sr.", "B.C.", "A.D.",
                      "Ph.D.", "Bros."} | set(STREET_SUFFIXES)
    # unit words ("82nd Abn. Div. hosted the jump"): a sentence ends there only when one plainly starts
    | {"Abn.", "Inf.", "Armd.", "Cav.", "Mech.", "Avn.", "Engr.", "Arty.", "Spt.", "Bn.", "Bde.", "Regt.",
       "Sqdn.", "Sqn.", "Div.", "Det.", "Grp.", "Bty."}
)
