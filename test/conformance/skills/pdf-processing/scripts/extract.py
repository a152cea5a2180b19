"""Prints the text of every page of a PDF (or its form fields with --fields)."""
import sys

from pypdf import PdfReader


def main(argv: list[str]) -> int:
    fields = argv[1:2] == ["--fields"]
    path = argv[-1]
    reader = PdfReader(path)
    if fields:
        for name, field in (reader.get_fields() or {}).items():
            print(f"{name}\t{field.get('/FT')}")
        return 0
    for page in reader.pages:
        print(page.extract_text())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
