"""``manage.py api_client create|list|revoke``: machine API clients from the command line.

    manage.py api_client create --name "DOPA statistics" --country THA \
        --scope statistics:submit [--scope ...] [--agency ID] [--rate 100/minute] [--by EMAIL]
    manage.py api_client list [--country THA]
    manage.py api_client revoke ID [--by EMAIL]

``create`` prints the token once. ``--by`` names the administrator acting (their
country limits what they may do, and the audit log names them); without it
the row names no person (the operator of the server).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from matis.access.models import Agency, User
from matis.apiclients import services
from matis.apiclients.models import ApiClient
from matis.apiclients.scopes import SCOPES


def _actor(email: str | None) -> User | None:
    if not email:
        return None
    try:
        return User.objects.get(email=email.lower(), is_active=True)
    except User.DoesNotExist:
        raise CommandError(f"--by: no active user {email}") from None


class Command(BaseCommand):
    help = "Create, list or revoke machine API clients (token shown once at creation)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="a new client; prints its token once")
        create.add_argument("--name", required=True)
        create.add_argument("--country", required=True, help="ISO alpha-3, e.g. THA")
        create.add_argument(
            "--scope", action="append", required=True, choices=sorted(SCOPES), dest="scopes"
        )
        create.add_argument("--agency", type=int, help="agency id (for returns:read)")
        create.add_argument("--rate", default="", help="e.g. 100/minute (default: the server's)")
        create.add_argument("--by", help="email of the administrator acting")
        listing = sub.add_parser("list", help="clients, with their scopes and status")
        listing.add_argument("--country")
        revoke = sub.add_parser("revoke", help="revoke a client's token for good")
        revoke.add_argument("id", type=int)
        revoke.add_argument("--by", help="email of the administrator acting")

    def handle(self, *args, action, **opts):
        try:
            return getattr(self, f"_{action}")(**opts)
        except ValidationError as exc:
            details = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" if k else " ".join(v) for k, v in details.items())
            ) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None

    def _create(self, *, name, country, scopes, agency, rate, by, **_):
        agency_obj = None
        if agency is not None:
            agency_obj = Agency.objects.filter(pk=agency).first()
            if agency_obj is None:
                raise CommandError(f"--agency: no agency {agency}")
        client, token = services.api_client_create(
            actor=_actor(by),
            name=name,
            country_id=country.upper(),
            scopes=scopes,
            agency=agency_obj,
            rate=rate,
        )
        self.stdout.write(f"client {client.pk}: {client}  scopes: {' '.join(client.scopes)}")
        self.stdout.write("token (shown once, store it now):")
        self.stdout.write(token)

    def _list(self, *, country, **_):
        qs = services.clients_visible(None)
        if country:
            qs = qs.filter(country_id=country.upper())
        for c in qs:
            status = f"revoked {c.revoked_at:%Y-%m-%d %H:%M}" if c.revoked_at else "active"
            self.stdout.write(
                f"{c.pk}\t{c.country_id}\t{c.name}\t{' '.join(c.scopes)}\t"
                f"matis_{c.token_prefix}_...\t{c.rate or 'default'}\t{status}"
            )

    def _revoke(self, *, id, by, **_):
        client = ApiClient.objects.filter(pk=id).first()
        if client is None:
            raise CommandError(f"no API client {id}")
        services.api_client_revoke(actor=_actor(by), client=client)
        self.stdout.write(f"client {client.pk} revoked")
