"""A document a service made, sent to the browser: one way for every page's PDF."""
from __future__ import annotations

import io
from collections.abc import Callable

from flask import Response, redirect, send_file
from werkzeug.wrappers import Response as AnyResponse

from ..errors import UserError
from .feedback import refuse


def pdf_response(data: bytes, name: str, *, attachment: bool = False) -> Response:
    """The PDF shown in the browser (saved, with ``attachment``) under ``name``; a Chinese
    name travels as RFC 6266 filename* with an ASCII fallback (send_file)."""
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=name, as_attachment=attachment)


def pdf_or_back(make: Callable[[], bytes], name: str, back: str) -> AnyResponse:
    """The PDF ``make`` returns (its service's bytes), shown under ``name``; where the service
    refuses (nothing to print yet), back to the page ``back`` with each message of the refusal."""
    try:
        data = make()
    except UserError as error:
        refuse(error)
        return redirect(back)
    return pdf_response(data, name)
