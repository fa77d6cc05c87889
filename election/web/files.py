"""A document a service made, sent to the browser: one way for every page's PDF."""
from __future__ import annotations

import io

from flask import Response, send_file


def pdf_response(data: bytes, name: str, *, attachment: bool = False) -> Response:
    """The PDF shown in the browser (saved, with ``attachment``) under ``name``; a Chinese
    name travels as RFC 6266 filename* with an ASCII fallback (send_file)."""
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=name, as_attachment=attachment)
