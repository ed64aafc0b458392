app_name = "justice"
urlpatterns: list = []
