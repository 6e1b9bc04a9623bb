"""Reading one multipart file part with a hard size bound (shared by the upload routes).

The bound is applied to the whole request before Werkzeug parses it (``max_content_length``)
and again to the part itself, so no upload is ever held beyond its limit; everything the
parser refuses becomes a clear 400 or 413, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.exceptions import BadRequest as WerkzeugBadRequest
from werkzeug.exceptions import RequestEntityTooLarge

from gorunchat.contracts.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from gorunchat.edge.context import RequestContext

#: Room for the multipart framing and the small form fields beside the file.
FORM_OVERHEAD = 64 * 1024


@dataclass(frozen=True)
class FilePart:
    filename: str
    data: bytes
    fields: dict[str, str]


def read_file_part(ctx: RequestContext, limit: int, field: str = "file") -> FilePart:
    """The ``field`` file part and the text fields of a multipart request."""
    request = ctx.request
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("Send the file as multipart/form-data.")
    if request.content_length is not None and request.content_length > limit + FORM_OVERHEAD:
        raise PayloadTooLarge(f"The upload is larger than {limit} bytes.",
                              code="FILE_TOO_LARGE")
    request.max_content_length = limit + FORM_OVERHEAD
    try:
        part = request.files.get(field)
        fields = {k: v for k, v in request.form.items() if isinstance(v, str)}
    except RequestEntityTooLarge as exc:
        raise PayloadTooLarge(f"The upload is larger than {limit} bytes.",
                              code="FILE_TOO_LARGE") from exc
    except WerkzeugBadRequest as exc:
        raise BadRequest("The multipart body is malformed.", code="MALFORMED_MULTIPART") from exc
    if part is None:
        raise BadRequest(f"The request has no '{field}' file part.", code="FILE_REQUIRED")
    data = part.stream.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"The upload is larger than {limit} bytes.",
                              code="FILE_TOO_LARGE")
    return FilePart(filename=part.filename or "", data=data, fields=fields)
