"""Sample OHCHR thematic lists (Word), written for the tests in both layouts. The texts are our
own, in the UN's style: no UN text is copied."""

import io

CURRENT_COLUMNS = (
    "Recommendation and recommending State",
    "Position of the State under review",
    "Human rights themes and groups of persons",
    "Relevant SDGs",
)
EARLIER_COLUMNS = (
    "Recommendation",
    "Position",
    "Full list of themes",
    "Assessment/comments on level of implementation",
)

CURRENT_ROWS = [
    ("Theme: A41 Constitutional and legislative framework",),
    (
        "140.7 Ratify the Optional Protocol to the Convention against Torture without delay (Maldives) (Portugal) "
        "(Bolivia (Plurinational State of));\nSource of Position: A/HRC/59/15/Add.1 - Para.3",
        "Supported",
        "- Torture and other cruel, inhuman or degrading treatment\n"
        "- Economic, social & cultural rights - general measures of implementation\n"
        "Groups of Persons:\n- Persons deprived of their liberty\n- Human rights defenders",
        "- 16 - PEACE, JUSTICE AND STRONG INSTITUTIONS",
    ),
    (
        "140.12 Amend the law on peaceful assembly (2019) so that a notification suffices (Norway);\n"
        "Source of Position: A/HRC/59/15/Add.1 - Para.3",
        "Noted, as the law is under review",
        "- Freedom of opinion and expression\nGroups of Persons:\n- Journalists",
        "- 5 - GENDER EQUALITY\n- 16 - PEACE, JUSTICE AND STRONG INSTITUTIONS",
    ),
]

EARLIER_ROWS = [
    (
        "120.3 Adopt a law against domestic violence that makes it a criminal offence (Spain) (Chile);\n"
        "Source of position: A/HRC/28/7/Add.1",
        "Supported",
        "- Women's rights\nAffected persons:\n- Women & girls\nSDGs: 5, 16",
        "Partially implemented: the law was adopted in 2024; courts have not yet applied it.",
    ),
    (
        "120.9 Release journalists held for their work (Canada);\nsource of position: A/HRC/28/7/Add.1",
        "Noted",
        "- Freedom of opinion and expression\nAffected persons: Journalists, Lesbian, gay, bisexual, transgender "
        "and intersex persons",
        "",
    ),
]


def thematic_list(
    *,
    heading="UPR of Slovenia (4th Cycle - 48th Session)",
    columns=CURRENT_COLUMNS,
    rows=CURRENT_ROWS,
) -> bytes:
    """A Word document laid out as OHCHR's thematic list: the heading in the page header, one table."""
    import docx

    document = docx.Document()
    if heading:
        document.sections[0].header.paragraphs[0].text = heading
    document.add_paragraph("Thematic list of recommendations")
    table = document.add_table(rows=1, cols=len(columns))
    for cell, title in zip(table.rows[0].cells, columns, strict=True):
        cell.text = title
    for row in rows:
        cells = table.add_row().cells
        if len(row) == 1:  # a "Theme: …" heading across the table
            merged = cells[0].merge(cells[-1])
            merged.text = row[0]
            continue
        for cell, text in zip(cells, row, strict=True):
            paragraphs = text.split("\n")
            cell.text = paragraphs[0]
            for more in paragraphs[1:]:
                cell.add_paragraph(more)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def earlier_list(**kwargs) -> bytes:
    kwargs.setdefault("heading", "UPR of Slovenia (2nd Cycle – 20th session)")
    return thematic_list(columns=EARLIER_COLUMNS, rows=EARLIER_ROWS, **kwargs)
