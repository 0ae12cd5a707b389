"""The sheet of code slips: the PDF from the command line and the printable page for HR."""

from __future__ import annotations

import io
import re
import stat

import segno
from pypdf import PdfReader

from survey_app import audit
from survey_app.core.hashing import code_hash
from survey_app.tables.identity import CodeSlip
from survey_app.waves.code_sheet import code_link
from tests.helpers import app_settings, load_small_org, open_wave, sign_in_as_hr, survey_app

CODE = re.compile(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}\b")


async def test_the_command_line_writes_a_pdf_with_the_codes_asked_for(tmp_path) -> None:
    await load_small_org()
    opened = await open_wave()
    output = tmp_path / "ict.pdf"
    wave_id = str(opened.wave.public_id)
    args = ("wave", "codes", wave_id, "--department", "ICT", "--count", "12", "--output")
    done = await survey_app("--lang", "en", *args, str(output))
    assert done.returncode == 0, done.stderr
    assert "12 codes for ICT" in done.stdout
    # The codes are credentials: readable by the owner only.
    assert stat.S_IMODE(output.stat().st_mode) == 0o600

    reader = PdfReader(io.BytesIO(output.read_bytes()))
    assert len(reader.pages) == 2  # ten slips a page
    text = "\n".join(page.extract_text() for page in reader.pages)
    codes = CODE.findall(text)
    assert len(codes) == len(set(codes)) == 12
    # Each printed code is one of the wave's stored codes (only their hashes are stored).
    secret = app_settings().secret_key
    stored = {row["code_hash"] for row in await CodeSlip.select(CodeSlip.code_hash)}
    assert {code_hash(secret, code) for code in codes} == stored
    assert "127.0.0.1:8000/code" in text.replace("\n", "") and "ICT" in text

    records, _total = await audit.search(action="wave.codes_issued")
    assert [record.details["codes"] for record in records] == [12]
    assert not any(code in str(records[0].details) for code in codes)  # counts only

    refused = await survey_app("--lang", "en", *args[:-3], "--count", "3", "--department", "XX",
                               "--output", str(tmp_path / "none.pdf"))  # fmt: skip
    assert refused.returncode == 1 and "Unknown department code: XX" in refused.stderr
    assert not (tmp_path / "none.pdf").exists()


async def test_hr_prints_a_sheet_whose_qr_codes_carry_each_slips_link(client) -> None:
    await load_small_org()
    opened = await open_wave()
    await sign_in_as_hr(client)
    path = f"/hr/waves/{opened.wave.public_id}/codes"
    form = await client.get(path)
    assert form.status_code == 200 and 'value="ICT"' in form.text

    sheet = await client.post(path, data={"department": "ICT", "count": "3", "format": "html"})
    assert sheet.status_code == 200
    slips = re.findall(r'<li class="code-slip">(.*?)</li>', sheet.text, re.S)
    assert len(slips) == 3
    base_url = app_settings().base_url
    for slip in slips:
        code = CODE.search(slip).group(0)
        # The slip's QR symbol is the encoding of its own code's link (the same modules).
        printed = re.search(r'<path[^>]* d="([^"]+)"', slip).group(1)
        expected = re.search(r' d="([^"]+)"', segno.make(code_link(base_url, code), error="m")
                             .svg_inline(scale=1, omitsize=True)).group(1)  # fmt: skip
        assert printed == expected
        assert (await client.get(f"/c/{code}")).status_code == 303  # and the link works

    pdf = await client.post(path, data={"department": "ICT", "count": "11", "format": "pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert 'filename="codes-ICT.pdf"' in pdf.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(CODE.findall("".join(page.extract_text() for page in reader.pages))) == 11

    wrong = await client.post(path, data={"department": "ICT", "count": "0", "format": "pdf"})
    assert wrong.status_code == 422 and "Kies een aantal codes" not in wrong.text
    assert "1 tot en met 500" in wrong.text or "1 to 500" in wrong.text
    assert await CodeSlip.count() == 14
