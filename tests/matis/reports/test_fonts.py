"""The report's fonts shape every COMMIT script in the PDF (system Noto fonts, no downloads)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from matis.reports.render import render_pdf

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
    reason="poppler-utils is not installed",
)

SAMPLES = {
    "th": ("การสนับสนุนแผนปฏิบัติการระดับชาติ", "Noto-Sans-Thai"),
    "km": ("ផែនការសកម្មភាពជាតិ", "Noto-Sans-Khmer"),
    "lo": ("ແຜນປະຕິບັດງານແຫ່ງຊາດ", "Noto-Sans-Lao"),
    "my": ("အမျိုးသားလုပ်ငန်းစီမံချက်", "Noto-Sans-Myanmar"),
    "zh-hans": ("国家行动计划", "Noto-Sans-CJK-SC"),
    "vi": ("Kế hoạch hành động quốc gia", "Noto-Sans"),
}


def test_each_script_is_set_in_its_noto_font_and_comes_back_as_text(tmp_path):
    body = "".join(
        f'<p lang="{lang}" class="lang-{lang}">{text}</p>'
        for lang, (text, _font) in SAMPLES.items()
    )
    pdf = render_pdf(f"<!DOCTYPE html><html><body>{body}</body></html>")
    path = tmp_path / "scripts.pdf"
    path.write_bytes(pdf.data)
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    embedded = {line.split()[0].split("+", 1)[-1] for line in fonts.splitlines()[2:]}
    for _lang, (_text, font) in SAMPLES.items():
        assert font in embedded, (font, embedded)
    assert not {f for f in embedded if "DejaVu" in f or "Liberation" in f}  # no stray fallback
    text = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    squeezed = re.sub(r"\s+", "", text)
    for lang, (sample, _font) in SAMPLES.items():
        assert re.sub(r"\s+", "", sample) in squeezed, lang
