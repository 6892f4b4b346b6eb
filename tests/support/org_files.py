"""CSV files of a generated organisation, as an HR system would export them.

Nordwind Logistik (made up): two sites, a four-step process chain, German headers with
a BOM and semicolons in the employee file, like a German spreadsheet export.
"""

STRUCTURE = {
    "sites": "site_id,name,country,language,time_zone\n"
    "hamburg,Hamburg Hafen,DE,de,Europe/Berlin\n"
    "gdansk,Gdańsk Terminal,PL,en,Europe/Warsaw\n",
    "departments": "department_id,name,site_id\nops,Operations,\nfinance,Finanzen,hamburg\n",
    "processes": "process_id,name,upstream\n"
    "booking,Buchung,\nloading,Verladung,booking\nshipping,Transport,loading\n"
    "billing,Abrechnung,shipping\n",
    "roles": "role_id,name\ndispatcher,Disponent/in\ndriver,Fahrer/in\ncontroller,Controller/in\n",
}
EMPLOYEE_HEADER = (
    "Personalnummer;Vorname;Nachname;E-Mail;Sprache;Standort;Abteilung;Rolle;Prozessschritt;"
    "Vorgesetzter"
)


def employee_rows(count: int, site_of=lambda i: "hamburg" if i % 3 else "gdansk") -> list[str]:
    rows = []
    for i in range(count):
        site = site_of(i)
        rows.append(
            f"{1000 + i};Vor{i};Nach{i};person{i}@nordwind.example;"
            f"{'de' if site == 'hamburg' else 'en'};{site};ops;"
            f"{'driver' if i % 2 else 'dispatcher'};{'shipping' if i % 2 else 'booking'};"
            f"{'' if i == 0 else '1000'}"
        )
    return rows


def employees_csv(rows: list[str]) -> bytes:
    return ("\ufeff" + "\n".join([EMPLOYEE_HEADER, *rows]) + "\n").encode()


def org_files(employees: int = 6) -> dict[str, tuple[str, bytes]]:
    """Every kind, as (file name, bytes) per multipart field."""
    files = {kind: (f"{kind}.csv", text.encode()) for kind, text in STRUCTURE.items()}
    files["employees"] = ("employees.csv", employees_csv(employee_rows(employees)))
    return files


def multipart(files: dict[str, tuple[str, bytes]]) -> dict[str, tuple[str, bytes, str]]:
    return {kind: (name, data, "text/csv") for kind, (name, data) in files.items()}
