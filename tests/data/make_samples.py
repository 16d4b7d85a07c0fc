"""Write the sample exports in this folder (run it from anywhere: python tests/data/make_samples.py).

The texts are invented for the tests; the byte-level quirks are those of real UPR Info exports.
"""

from pathlib import Path

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


def write(name, header, rows, encoding, line_end):
    text = "".join(",".join(cell(value) for value in row) + line_end for row in [header, *rows])
    (HERE / name).write_bytes(text.encode(encoding))


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
