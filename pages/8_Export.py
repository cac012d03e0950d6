"""Everything leaves the app: figures, tables, slide deck, report, settings."""

from recur.ui.export_panel import export_downloads, settings_upload
from recur.ui.page import start_page

cohort, settings = start_page("Export")
export_downloads(cohort, settings)
settings_upload()
