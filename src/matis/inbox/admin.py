"""Read-only admin: preferences change on the inbox page (audited), digests by the command."""

from django.contrib import admin

from matis.common.admin import ReadOnlyAdmin
from matis.inbox.models import DigestRecord, NotificationPreference


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "frequency", "updated_at")
    list_filter = ("frequency",)


@admin.register(DigestRecord)
class DigestRecordAdmin(ReadOnlyAdmin):
    list_display = ("day", "user", "item_count", "sent_at")
    list_filter = ("day",)
    date_hierarchy = "day"
