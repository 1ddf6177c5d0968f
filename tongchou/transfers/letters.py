"""The introduction letter (组织关系介绍信): its wording, shared by the printable page and the
PDF. The member's ID number is printed masked; the letter identifies the member by name,
gender, age, ethnicity and category, and the receiving side checks the number in person."""

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from tongchou.members.services import age_on
from tongchou.transfers.models import Transfer


@dataclass
class Letter:
    serial: str
    addressee: str
    body: str
    member_line: str
    validity: str
    issuer: str
    issued: str
    state_note: str


def _date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def letter_for(transfer: Transfer) -> Letter:
    member = transfer.member
    facts = []
    if member is not None:
        facts = [
            member.get_gender_display(),
            _("%(n)s岁") % {"n": age_on(member.birth_date, transfer.letter_issued_on)},
            member.get_ethnicity_display(),
            _("身份证号 %(id)s") % {"id": member.id_number_masked},
        ]
    category = member.get_category_display() if member is not None else ""
    body = _(
        "兹介绍%(name)s同志（%(facts)s）系中共%(category)s，组织关系由%(from)s转到%(to)s，请接洽。"
    ) % {
        "name": transfer.member_name,
        "facts": "，".join(str(f) for f in facts),
        "category": category,
        "from": transfer.from_label,
        "to": transfer.to_label,
    }
    validity = _("有效期%(days)s天（至%(until)s）。") % {
        "days": (transfer.letter_valid_until - transfer.letter_issued_on).days,
        "until": _date(transfer.letter_valid_until),
    }
    state_note = ""
    if transfer.state in ("returned", "cancelled"):
        state_note = _("本介绍信所涉转接%(state)s，介绍信作废。") % {
            "state": transfer.get_state_display()
        }
    elif transfer.is_overdue:
        state_note = _("本介绍信已超过有效期。")
    return Letter(
        serial=transfer.letter_number,
        addressee=f"{transfer.to_label}：",
        body=body,
        member_line=transfer.member_name,
        validity=validity,
        issuer=transfer.from_label,
        issued=_date(transfer.letter_issued_on),
        state_note=state_note,
    )


def letter_pdf(transfer: Transfer) -> bytes:
    """The letter as an A4 PDF (reportlab, the built-in STSong-Light CID font: no font file)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    letter = letter_for(transfer)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=25 * mm,
        title=str(_("中国共产党党员组织关系介绍信")),
        author=letter.issuer,
        invariant=1,
    )
    base = ParagraphStyle("base", fontName="STSong-Light", fontSize=13, leading=24, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=20, leading=30, alignment=1)
    right = ParagraphStyle("right", parent=base, alignment=2)
    small = ParagraphStyle("small", parent=base, fontSize=10, leading=16, alignment=2)
    body = ParagraphStyle("body", parent=base, firstLineIndent=26)
    story = [
        Paragraph(str(_("中国共产党党员组织关系介绍信")), title),
        Spacer(1, 4 * mm),
        Paragraph(letter.serial, small),
        Spacer(1, 8 * mm),
        Paragraph(letter.addressee, base),
        Paragraph(letter.body, body),
        Paragraph(letter.validity, body),
        Spacer(1, 20 * mm),
        Paragraph(str(_("（盖章）")), right),
        Paragraph(letter.issuer, right),
        Paragraph(letter.issued, right),
    ]
    if letter.state_note:
        story += [Spacer(1, 10 * mm), Paragraph(letter.state_note, small)]
    doc.build(story)
    return out.getvalue()
