"""Who opens the Oscar dashboard: staff *with* the shop's role, not every staff member.

Oscar lets any `is_staff` user in. Here staff also means retouchers and photographers who work
only in /admin/, so the dashboard asks for the `partner.dashboard_access` permission that the
Photographer and Shop manager roles carry (superusers have every permission).
"""

from oscar.apps.dashboard.permissions import DashboardPermission as OscarDashboardPermission


class DashboardPermission(OscarDashboardPermission):
    staff = ["is_staff", "partner.dashboard_access"]
