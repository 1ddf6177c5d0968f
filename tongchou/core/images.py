"""Photos people upload (a venue, a household visit): read with caps, written back clean.

An upload is trusted for nothing: its name and declared type are ignored, Pillow decides what
it is, and only JPEG, PNG and WebP are taken. What may be read is capped before decoding (bytes,
pixels — a small file can declare a huge image), and the photo kept is a fresh JPEG re-encoded
from the pixels, at most ``PHOTO_MAX_SIDE`` on its longer side: nothing of the original file
survives, so neither a script smuggled after the image data nor the camera's EXIF (the place
where a visit's photo was taken) is stored or served."""

import io
from contextlib import contextmanager

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from tongchou.core.errors import ApplicationError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
PHOTO_MAX_BYTES = getattr(settings, "PHOTO_MAX_BYTES", 8 * 1024 * 1024)
PHOTO_MAX_PIXELS = 50_000_000  # a 50-megapixel camera; beyond that, refuse before decoding
PHOTO_MAX_SIDE = 1600
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


def _refuse(code: str, message: str, field: str) -> ApplicationError:
    return ApplicationError(code, message, field=field)


def clean_photo(upload, *, field: str = "photo") -> ContentFile:
    """The upload as a clean JPEG (``ContentFile`` named ``photo.jpg``), or an
    ``ApplicationError`` naming ``field``."""
    if not upload:
        raise _refuse("required", _("请选择照片。"), field)
    if (getattr(upload, "size", 0) or 0) > PHOTO_MAX_BYTES:
        raise _refuse(
            "photo_too_large",
            _("照片不能超过 %(mb)d MB。") % {"mb": PHOTO_MAX_BYTES // (1024 * 1024)},
            field,
        )
    upload.seek(0)
    data = upload.read(PHOTO_MAX_BYTES + 1)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise _refuse("photo_type", _("只接受 JPEG、PNG 或 WebP 格式的照片。"), field) from None
    if kind not in ACCEPTED_FORMATS:
        raise _refuse("photo_type", _("只接受 JPEG、PNG 或 WebP 格式的照片。"), field)
    if width * height > PHOTO_MAX_PIXELS:
        raise _refuse("photo_too_large", _("照片像素过大，请缩小后再上传。"), field)
    try:
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)  # keep the orientation, drop the EXIF
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGBA")
                flat = Image.new("RGB", image.size, "white")
                flat.paste(image, mask=image.getchannel("A"))
                image = flat
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85, optimize=True)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise _refuse("photo_broken", _("照片文件已损坏，无法读取。"), field) from None
    return ContentFile(out.getvalue(), name="photo.jpg")


@contextmanager
def kept_unless_failed():
    """Files stored inside the block (append each ``FieldFile`` to the list it yields) are
    deleted again when the block raises: a rolled-back row leaves no file behind."""
    stored: list = []
    try:
        yield stored
    except BaseException:
        for field_file in stored:
            field_file.storage.delete(field_file.name)
        raise
