"""django-taggit's Tag admin, with its merge view behind the permissions it needs.

taggit registers a "merge tags" view that checks nothing beyond the staff flag: a retoucher
could rewrite the journal's tags (and the same view answered 500 on a bad session value). The
journal's tags are the editors' (in /cms/); in /admin/ the merge is kept for those who may
change and delete tags."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

# Importing taggit's admin registers its TagAdmin now, so it can be replaced here whatever
# order the admin's autodiscovery takes the apps in.
from taggit.admin import TagAdmin
from taggit.models import Tag

admin.site.unregister(Tag)


@admin.register(Tag)
class JournalTagAdmin(TagAdmin):
    def merge_tags_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_change_permission(request) and self.has_delete_permission(request)):
            raise PermissionDenied
        return super().merge_tags_view(request)
