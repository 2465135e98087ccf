import oscar.apps.dashboard.apps as apps
from django.urls import path
from oscar.core.loading import get_class


class DashboardConfig(apps.DashboardConfig):
    name = "shop.dashboard"

    def configure_permissions(self):
        super().configure_permissions()
        DashboardPermission = get_class("dashboard.permissions", "DashboardPermission")
        # The lab's list of personal prints (shop.personal): shop managers and photographers.
        self.permissions_map["personal-prints"] = (DashboardPermission.staff,)
        self.permissions_map["personal-print-original"] = (DashboardPermission.staff,)

    def get_urls(self):
        from shop.personal import dashboard

        return super().get_urls() + self.post_process_urls([
            path("prints/", dashboard.PrintListView.as_view(), name="personal-prints"),
            path("prints/<id:line_id>/original/", dashboard.original,
                 name="personal-print-original"),
        ])
