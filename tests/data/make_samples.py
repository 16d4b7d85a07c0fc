"""Write the sample exports in this folder (run it from anywhere: python tests/data/make_samples.py).

The texts are invented for the tests; the byte-level quirks are those of real UPR Info exports.
"""

from pathlib import Path

import openpyxl
import xlwt

HERE = Path(__file__).parent
HEADER = ["To", "To-Rgrp", "To-Org", "Text", "From", "From-Rgrp", "From-Org", "Response", "Action", "Issue", "Session"]
GUARANI = "Consult the Guaraní communities before granting land concessions in the Chaco"
ASSEMBLY = (
    "Amend the law on peaceful assemblies so that a notification suffices;\nrelease those detained for peaceful protest"
)
OPCAT = "Ratify the Optional Protocol to the Convention against Torture and open every detention site to visits"
CHILDREN = "Protect children in residential care from violence, and let them report abuse safely"
KZ = ("Kazakhstan", "Asia", "OIC, OSCE")
ROWS = [
    ["Bolivia", "GRULAC", "OAS", GUARANI, "Germany", "WEOG", "EU", "Accepted", "2", "Indigenous peoples", "7"],
    [*KZ, ASSEMBLY, "Norway", "WEOG", "", "Noted", "5",
     "Freedom of association and peaceful assembly,Human rights defenders", "20"],
    [*KZ, OPCAT, "Côte d'Ivoire", "Africa", "AU, OIF", "Accepted", "5", "International instruments", "20"],
    [*KZ, CHILDREN, "Holy See", "Observer", "", "Accepted", "4", "Rights of the Child, Women's rights", "7"],
    [*KZ, OPCAT, "Côte d'Ivoire", "Africa", "AU, OIF", "Accepted", "5", "International instruments", "20"],
    ["DPR Korea", "Asia", "", "Allow the Special Rapporteur to visit the country",
     "Republic of Korea", "Asia", "", "Noted", "3", "Special procedures", "19"],
]  # fmt: skip


def cell(value):
    """Quote as a spreadsheet does: only cells with a comma, a quote or a line break."""
    if any(char in value for char in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def write(name, header, rows, encoding, line_end, delimiter=","):
    def quoted(value):
        if delimiter != "," and not any(char in value for char in f'{delimiter}"\r\n'):
            return value
        return cell(value) if delimiter == "," else '"' + value.replace('"', '""') + '"'

    text = "".join(delimiter.join(quoted(value) for value in row) + line_end for row in [header, *rows])
    (HERE / name).write_bytes(text.encode(encoding))


# UPR Info's own export: the SuR header set, a voluntary pledge, two rows identical but for their
# issues, a placeholder state, and the state names that need the resolver (St, &, UN official).
SUR_HEADER = ["SuR", "Rgrp", "Org", "Recommendation", "RS", "Rgrp", "Org", "Response", "Action", "Issue", "Session"]
TRAFFICKING = "Strengthen the protection of victims of trafficking, including shelters and legal aid"
SUR_ROWS = [
    ["St Lucia", "GRULAC", "OAS", "Establish a national human rights institution in line with the Paris Principles",
     "Antigua & Barbuda", "GRULAC", "OAS", "Supported", "4", "National Human Rights Institution", "24"],
    ["Republic of Moldova", "EEG", "OSCE", "Adopt a law against domestic violence with protection orders",
     "United Republic of Tanzania", "Africa", "AU", "Noted", "5", "Women's rights", "26"],
    ["Kazakhstan", "Asia", "OIC, OSCE", "Submit the overdue reports to the treaty bodies by the end of 2015",
     "Kazakhstan", "Asia", "OIC, OSCE", "Voluntary Pledge", "", "Treaty bodies", "20"],
    ["Kazakhstan", "Asia", "OIC, OSCE", TRAFFICKING, "Sao Tome & Principe", "Africa", "AU", "Supported", "4",
     "Trafficking", "20"],
    ["Kazakhstan", "Asia", "OIC, OSCE", TRAFFICKING, "Sao Tome & Principe", "Africa", "AU", "Supported", "4",
     "Migrants, Trafficking", "20"],
    ["Kazakhstan", "Asia", "OIC, OSCE", "Guarantee the independence of judges", "&#40;Unknown&#41;", "", "",
     "Noted", "3", "Justice", "20"],
    ["Democratic People's Republic of Korea", "Asia", "", "Allow the Special Rapporteur to visit the country",
     "St Kitts & Nevis", "GRULAC", "", "Noted", "3", "Special procedures", "19"],
    ["Kazakhstan", "Asia", "OIC, OSCE", "Guarantee that journalists can work freely and safely",
     "Côte d'Ivoire", "Africa", "AU, OIF", "Supported", "5", "Freedom of opinion and expression", "7"],
]  # fmt: skip


def write_xls(name, header, rows):
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Recommendations")
    for row_index, row in enumerate([header, *rows]):
        for column, value in enumerate(row):
            # Numbers as numbers, as PHP Excel writes them.
            sheet.write(row_index, column, int(value) if value.isdecimal() else value)
    book.save(str(HERE / name))


def write_xlsx(name, header, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [header, *rows]:
        sheet.append([int(value) if value.isdecimal() else value for value in row])
    book.save(HERE / name)


if __name__ == "__main__":
    # Mac Roman, bare \r line endings (the line break inside row 3's quoted Text stays \n), a
    # multi-theme Issue cell, and row 6 repeating row 4 exactly.
    write("upr-sample-macroman.csv", HEADER, ROWS, "mac_roman", "\r")
    bad = [list(row) for row in ROWS[:4]]
    bad[2][HEADER.index("Response")] = "Maybe"  # row 4
    write("upr-sample-bad-response.csv", HEADER, bad, "utf-8", "\r\n")
    at = HEADER.index("Response")
    write(
        "upr-sample-missing-column.csv",
        HEADER[:at] + HEADER[at + 1 :],
        [r[:at] + r[at + 1 :] for r in ROWS[:3]],
        "utf-8",
        "\n",
    )
    # The same rows in every shape a spreadsheet program writes.
    write("upr-info-sur.csv", SUR_HEADER, SUR_ROWS, "utf-8", "\r\n")
    write_xls("upr-info-sur.xls", SUR_HEADER, SUR_ROWS)
    write_xlsx("upr-info-sur.xlsx", SUR_HEADER, SUR_ROWS)
    lower = [name.lower() for name in HEADER]
    write("upr-info-semicolon-cp1252.csv", lower, ROWS, "cp1252", "\r\n", delimiter=";")
    write("upr-info-utf16.txt", HEADER, ROWS, "utf-16", "\r\n", delimiter="\t")
    write("not-an-export.csv", ["Name", "Country", "Date"], [["A", "B", "2020"]], "utf-8", "\n")
