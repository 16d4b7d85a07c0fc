"""The words synthetic demo data is made of: states, mechanisms, NGOs, themes, legal provisions and
the sentences of recommendations, promises, reports and assessments, in English and Russian.

Everything here is invented for load tests and demonstrations; the slugs start with ``demo-`` so
that demo rows are never mistaken for curated ones."""

# (ISO code, name) of the states recommendations are addressed to.
STATES = [
    ("KZ", "Kazakhstan"),
    ("KG", "Kyrgyzstan"),
    ("UZ", "Uzbekistan"),
    ("TJ", "Tajikistan"),
    ("TM", "Turkmenistan"),
    ("AZ", "Azerbaijan"),
    ("AM", "Armenia"),
    ("GE", "Georgia"),
    ("BY", "Belarus"),
    ("MD", "Moldova"),
    ("UA", "Ukraine"),
    ("MN", "Mongolia"),
]

# (slug suffix, name, kind, mechanism) of the bodies that make recommendations.
MAKERS = [
    ("upr-working-group", "UPR Working Group", "un_mechanism", "upr"),
    ("human-rights-committee", "Human Rights Committee", "treaty_body", "treaty_body"),
    ("committee-against-torture", "Committee against Torture", "treaty_body", "treaty_body"),
    ("cedaw-committee", "Committee on the Elimination of Discrimination against Women", "treaty_body", "treaty_body"),
    ("sr-assembly", "Special Rapporteur on freedom of peaceful assembly", "un_mechanism", "special_procedures"),
    ("sr-expression", "Special Rapporteur on freedom of expression", "un_mechanism", "special_procedures"),
    ("osce-odihr", "OSCE Office for Democratic Institutions and Human Rights", "intergovernmental", "osce"),
    ("ngo-legal-aid", "Legal Aid Network", "ngo", "ngo"),
    ("ngo-press-freedom", "Press Freedom Watch", "ngo", "ngo"),
    ("ngo-monitor", "Human Rights Monitor", "ngo", "ngo"),
]

# (slug suffix, name) of the themes, each with the words its sentences use.
THEMES = [
    ("assembly", "Freedom of peaceful assembly"),
    ("expression", "Freedom of expression and media"),
    ("torture", "Prevention of torture"),
    ("fair-trial", "Fair trial and independent courts"),
    ("women", "Women's rights and gender equality"),
    ("children", "Rights of the child"),
    ("labour", "Labour rights"),
    ("elections", "Elections and political participation"),
    ("religion", "Freedom of religion or belief"),
    ("detention", "Conditions of detention"),
    ("disability", "Rights of persons with disabilities"),
    ("environment", "Environment and health"),
    ("migrants", "Migrants and refugees"),
    ("corruption", "Anti-corruption and transparency"),
    ("association", "Freedom of association and civil society"),
    ("minorities", "Minorities and non-discrimination"),
]

# (instrument, article, title) of international provisions, and of each state's own laws.
INTERNATIONAL_PROVISIONS = [
    ("ICCPR", "7", "Prohibition of torture"),
    ("ICCPR", "9", "Liberty and security of person"),
    ("ICCPR", "14", "Fair trial"),
    ("ICCPR", "19", "Freedom of expression"),
    ("ICCPR", "21", "Right of peaceful assembly"),
    ("ICCPR", "22", "Freedom of association"),
    ("ICCPR", "25", "Participation in public affairs"),
    ("CEDAW", "2", "Obligations to eliminate discrimination"),
    ("CAT", "2", "Effective measures to prevent torture"),
    ("CRC", "3", "Best interests of the child"),
]
NATIONAL_PROVISIONS = [
    ("Constitution", "20", "Freedom of speech"),
    ("Constitution", "32", "Peaceful assembly"),
    ("Criminal Code", "174", "Incitement of discord"),
    ("Criminal Code", "146", "Torture"),
    ("Law on Peaceful Assemblies", "", "Procedure for holding assemblies"),
    ("Law on Mass Media", "", "Registration and licensing of media"),
]

# English sentence parts: {subject} is a theme's words.
EN_SUBJECTS = {
    "assembly": ["peaceful assemblies", "the notification procedure for assemblies", "protesters"],
    "expression": ["journalists", "independent media", "online expression", "bloggers"],
    "torture": ["torture and ill-treatment", "complaints of torture", "places of detention"],
    "fair-trial": ["the independence of judges", "access to a lawyer", "fair trial guarantees"],
    "women": ["domestic violence", "women in public office", "equal pay for women"],
    "children": ["child labour", "juvenile justice", "children without parental care"],
    "labour": ["independent trade unions", "the right to strike", "migrant workers"],
    "elections": ["election observers", "the registration of candidates", "the counting of votes"],
    "religion": ["religious communities", "the registration of religious groups", "places of worship"],
    "detention": ["pre-trial detention", "prison conditions", "the national preventive mechanism"],
    "disability": ["inclusive education", "accessible public buildings", "legal capacity"],
    "environment": ["air pollution", "access to clean water", "environmental defenders"],
    "migrants": ["asylum seekers", "stateless persons", "the expulsion of foreigners"],
    "corruption": ["asset declarations", "public procurement", "access to information"],
    "association": ["non-governmental organisations", "foreign funding of NGOs", "human rights defenders"],
    "minorities": ["ethnic minorities", "hate speech", "the use of minority languages"],
}
EN_ASKS = [
    "Amend the legislation on {subject} to bring it into line with international standards",
    "Ensure that {subject} are protected in law and in practice",
    "Repeal the provisions that restrict {subject}",
    "Investigate promptly and impartially every complaint concerning {subject}",
    "Adopt a national action plan on {subject} with a clear timeline",
    "Train police, prosecutors and judges on the standards that apply to {subject}",
    "Guarantee effective remedies to victims of violations concerning {subject}",
    "Collect and publish data disaggregated by sex and age on {subject}",
]
EN_PROMISES = [
    "The government will adopt a new law on {subject} by the end of the year",
    "We will review all legislation concerning {subject} together with civil society",
    "The state undertakes to report annually on progress concerning {subject}",
]
EN_REPORT_SENTENCES = [
    "The working group reviewed the situation concerning {subject} in {state}.",
    "Several delegations expressed concern about {subject} in {state}.",
    "The authorities of {state} stated that a draft law on {subject} had been prepared.",
    "Civil society organisations reported continued restrictions on {subject}.",
    "In {year} the parliament of {state} adopted amendments concerning {subject}.",
    "No progress was reported on {subject} since the previous review.",
    "Observers noted that the new rules on {subject} were applied inconsistently.",
    "The ministry published a plan of measures on {subject} in {year}.",
    "A court in {state} ruled on a case concerning {subject} in {year}.",
    "The ombudsman received complaints concerning {subject} during {year}.",
]
EN_SUMMARIES = {
    "not_started": "No measures concerning {subject} have been reported.",
    "not_implemented": "The assessment found that the recommendation on {subject} was not implemented.",
    "in_progress": "A draft concerning {subject} is under discussion.",
    "partially_implemented": "Some of the measures on {subject} were adopted; others are pending.",
    "implemented": "The measures on {subject} were adopted and applied.",
    "stalled": "Work on {subject} has stopped since the last assessment.",
    "regressed": "New restrictions on {subject} reversed earlier progress.",
}

# Russian: the reports of some mechanisms and NGOs come in Russian.
RU_SUBJECTS = {
    "assembly": ["мирные собрания", "уведомительный порядок собраний"],
    "expression": ["журналисты", "независимые СМИ"],
    "torture": ["пытки и жестокое обращение", "жалобы на пытки"],
    "fair-trial": ["независимость судей", "доступ к адвокату"],
    "women": ["бытовое насилие", "равная оплата труда женщин"],
    "children": ["детский труд", "ювенальная юстиция"],
    "labour": ["независимые профсоюзы", "право на забастовку"],
    "elections": ["наблюдатели на выборах", "регистрация кандидатов"],
    "religion": ["религиозные общины", "регистрация религиозных групп"],
    "detention": ["досудебное содержание под стражей", "условия в тюрьмах"],
    "disability": ["инклюзивное образование", "доступность зданий"],
    "environment": ["загрязнение воздуха", "доступ к чистой воде"],
    "migrants": ["лица, ищущие убежища", "лица без гражданства"],
    "corruption": ["декларации об активах", "государственные закупки"],
    "association": ["неправительственные организации", "правозащитники"],
    "minorities": ["этнические меньшинства", "язык вражды"],
}
RU_REPORT_SENTENCES = [
    "Рабочая группа рассмотрела положение в области «{subject}» в стране {state}.",
    "Организации гражданского общества сообщили о продолжающихся ограничениях: {subject}.",
    "В {year} году парламент принял поправки по теме «{subject}».",
    "Со времени предыдущего обзора прогресса по теме «{subject}» не отмечено.",
    "Министерство опубликовало план мероприятий по теме «{subject}» в {year} году.",
    "Омбудсмен получил жалобы по теме «{subject}» в {year} году.",
]
