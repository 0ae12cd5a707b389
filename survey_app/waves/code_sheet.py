"""The printed sheet of code slips: ten slips an A4 page, each with its code, the address
of the code page and a QR code of the slip's link (segno), as a PDF (WeasyPrint) or as a
printable page (``templates/waves/code_sheet.html``). The sheet is the only place the
codes exist; it is made once, when they are issued."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from survey_app.core.clock import local_today
from survey_app.core.settings import SITE_DIR, Settings
from survey_app.waves.codes import IssuedCodes
from survey_app.web.templates import jinja_environment

SHEET_STYLES = SITE_DIR / "static" / "css" / "codes.css"
PDF_TEMPLATE = "waves/code_sheet_print.html"


@dataclass(frozen=True)
class Slip:
    code: str
    link: str
    qr_svg: Markup


def code_link(base_url: str, code: str) -> str:
    return f"{base_url}/c/{code}"


def qr_svg(link: str) -> Markup:
    """The link as a QR code in SVG (error correction M: a slip may get creased)."""
    import segno

    qr = segno.make(link, error="m", micro=False)
    svg = qr.svg_inline(scale=1, omitsize=True, svgclass="qr", lineclass="qr-modules")
    return Markup(svg)  # noqa: S704 (segno's own markup, from our link)


def slips(issued: IssuedCodes, base_url: str) -> list[Slip]:
    return [
        Slip(code, code_link(base_url, code), qr_svg(code_link(base_url, code)))
        for code in issued.codes
    ]


def sheet_context(issued: IssuedCodes, settings: Settings) -> dict[str, Any]:
    return {
        "issued": issued,
        "slips": slips(issued, settings.base_url),
        "code_page": f"{settings.base_url}/code",
        "printed_on": local_today(settings.timezone).strftime("%d-%m-%Y"),
    }


def sheet_pdf(issued: IssuedCodes, language: str, *, settings: Settings) -> bytes:
    """The sheet as a PDF, in the current language (`core.i18n.using_language`)."""
    from weasyprint import CSS, HTML

    template = jinja_environment(settings).get_template(PDF_TEMPLATE)
    html = template.render(lang=language, **sheet_context(issued, settings))
    return HTML(string=html, base_url=None).write_pdf(stylesheets=[CSS(filename=str(SHEET_STYLES))])
