import oscar.apps.dashboard.partners.apps as apps

# Oscar's partner-user pages create accounts with a password typed by the shop, set passwords,
# the staff flag and the `partner.dashboard_access` permission: granting rights, which only a
# superuser does (`booker.roles.grants_rights`).
PARTNER_USER_VIEWS = (
    "partner-user-create",
    "partner-user-select",
    "partner-user-link",
    "partner-user-unlink",
    "partner-user-update",
)


class PartnersDashboardConfig(apps.PartnersDashboardConfig):
    name = "shop.dashboard.partners"

    def configure_permissions(self):
        super().configure_permissions()
        for url_name in PARTNER_USER_VIEWS:
            self.permissions_map[url_name] = ["is_superuser"]
