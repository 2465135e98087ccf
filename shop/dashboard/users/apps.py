import oscar.apps.dashboard.users.apps as apps


class UsersDashboardConfig(apps.UsersDashboardConfig):
    """Oscar's customer pages, forked for `views.py`: a role acts on clients' accounts only."""

    name = "shop.dashboard.users"
