"""The site's URLs without the cases pages (the alert page must still work)."""

from onewindow import urls as site

urlpatterns = [p for p in site.urlpatterns if getattr(p, "namespace", None) != "cases"]
