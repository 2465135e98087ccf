default_app_config = 'shop.dashboard.apps.DashboardConfig'
