from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "matis.ops"
    label = "ops"
    verbose_name = "Operations"  # no models: never shown

    def ready(self):
        from matis.ops import checks  # noqa: F401 - registers the deployment checks
