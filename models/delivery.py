"""送达: how and when an issued letter reached the one it is addressed to (the petitioner, or the department of an
交办单), one delivery a letter; the rule that records it is models/workflow/delivery.py."""
from peewee import CharField, DateTimeField, ForeignKeyField, TextField

from .db import BaseModel, now
from .documents import Document
from .errors import N_
from .people import User

METHODS = (
    ("personal", N_("Delivered in person")),  # 当面送达 (直接送达)
    ("post", N_("By post")),  # 邮寄送达
    ("electronic", N_("Electronic delivery")),  # 电子送达
    ("left", N_("Left at the address")),  # 留置送达
    ("public", N_("Public notice")),  # 公告送达
)
# The letters delivered to someone: every kind but the 会诊纪要, the office's internal record of a meeting.
NOT_DELIVERED = ("consultation_minutes",)
TO_DEPARTMENT = ("transfer_letter", "assignment_sheet", "supervision_sheet")  # 转送函 / 交办单 / 督办单: to the
# department of its referral (of its 督办)
OVERDUE_DAYS = 3  # a letter in force issued longer ago than this with no delivery is on the clerk's worklist


def needs_delivery(kind):
    """Is a letter of this kind delivered to someone (and so has a 送达 and a 送达回证)?"""
    return kind not in NOT_DELIVERED


class Delivery(BaseModel):
    """送达 of one document: the method, when, to whom, a note (邮件单号, 留置见证人...), and who typed it in when."""

    verbose_name = N_("Delivery")

    document = ForeignKeyField(Document, backref="deliveries", unique=True, on_delete="RESTRICT")
    method = CharField(max_length=20, choices=METHODS)
    delivered_at = DateTimeField(index=True)  # when it was delivered (补录: may be an earlier day)
    recipient = CharField(max_length=100)  # 受送达人
    note = TextField(null=True)
    recorded_at = DateTimeField(default=now)
    recorded_by = ForeignKeyField(User, null=True, backref="deliveries", on_delete="RESTRICT")

    def __str__(self):
        return self.document.number
