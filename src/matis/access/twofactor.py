"""Two-factor sign-in: who needs it, and the authenticator devices (django-otp).

A user signs in with a password, then a six-digit code from an authenticator
app (TOTP, RFC 6238; django-otp's ``TOTPDevice``) or one of ten single-use
recovery codes (django-otp's ``StaticDevice``). It is **required**, when
``MATIS_REQUIRE_2FA`` is on, for every role that can read case data, justice
records or exchange alerts, and for administrators; others may set it up and,
once they have, are asked for a code at every sign-in too.
"""

from __future__ import annotations

import io

from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from matis.access.models import Role
from matis.access.permissions import has_perm

# Rows of the permission table whose holders see personal data.
SENSITIVE_PERMISSIONS = ("cases.view_cases", "justice.view_criminal_cases", "exchange.view_alerts")
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"


def role_needs_two_factor(user) -> bool:
    """The user's role reads case data, justice records or exchange alerts, or administers."""
    if user.role == Role.ADMINISTRATOR or user.is_superuser:
        return True
    return any(has_perm(user, name) for name in SENSITIVE_PERMISSIONS)


def two_factor_required(user) -> bool:
    """The user may not work without a second factor (role and ``MATIS_REQUIRE_2FA``)."""
    return bool(settings.MATIS_REQUIRE_2FA) and role_needs_two_factor(user)


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_two_factor(user) -> bool:
    """The user has confirmed an authenticator (kept on the user row: no query per request)."""
    return user.two_factor_confirmed_at is not None


def pending_totp(user) -> TOTPDevice:
    """The user's not yet confirmed authenticator (made on first call; the secret stays)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    """The device secret as an authenticator app takes it typed in (RFC 4648 base32)."""
    from base64 import b32encode

    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def qr_svg(device: TOTPDevice) -> str:
    """An inline SVG QR code of the device's ``otpauth://`` URL (drawn here, no CDN)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    return svg[svg.index("<svg") :]  # drop the XML declaration: it is inlined in HTML


def recovery_codes_left(user) -> int:
    device = StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME).first()
    return 0 if device is None else device.token_set.count()
