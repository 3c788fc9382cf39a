"""Names of what the pages keep in ``st.session_state``, written once.

Session state is one dictionary per browser tab, shared by every page, so each name is
spelled here and imported: two spellings of one entry, or one name used for two things,
would fail silently. A page's own filter widgets are keyed in that page (their keys
start with the page's name) and seeded from its link by :func:`app_pages._ui.seed_widgets`.
"""

# --- kept by app_pages/_ui.py across the reruns of a session --------------------------
LINK_NOTES = "_atlas_link_notes"  # {page: (notes, params)}: a link's notes while it is shown
URL_SEEN = "_atlas_url_seen"  # a page has written its filters to the URL once
VIEW_NOTES = "_atlas_view_notes"  # maps whose link view was not understood (told once)
LAYERS_KNOWN = "_atlas_layers_known"  # {page: keys of the layers its map has had}
LAYERS_OFF = "_atlas_layers_off"  # {page: keys of the layers the user switched off}
LAYERS_LINK = "_atlas_layers_link"  # {page: the ``layers`` value the picker last saw}
MAPS_RUN = "_atlas_maps_run"  # map keys run once in this session
VIEW_WRITTEN = "_atlas_view_written"  # {map: the view this session last wrote to the URL}
MAP_BASE = "_atlas_map_base"  # {map: (its fitted bounds, the first view it reported)}
# {page: {"keys", "params", "shown"}}: its filter widgets, and the filters and widget
# values it last wrote to the URL (seed_widgets, sync_url)
LINKED_WIDGETS = "_atlas_linked_widgets"
PERIOD_FIXED = "_atlas_period_fixed"  # a one-year growth period was moved on (say so once)

SECTIONS_WRITTEN = "_atlas_sections_written"  # {tabs: the section value last in the URL}
LANG = "_atlas_lang"  # the session's language (geo/i18n.py): en, fr or es
LANG_PICK = "atlas_lang"  # the sidebar's language selector (a widget)

# --- kept by the pages -------------------------------------------------------------
BRIEFING = "briefing_choice"  # the Briefing's choice of briefing (a widget)
DRAFT = "_atlas_draft"  # the briefing being made (app_pages/_draft.Draft)
DRAFT_ADDED = "_atlas_draft_added"  # (page, slide number, title) just added: say so once
# the Briefing editor's widgets and notes
EDITOR_OPEN = "atlas_editor_open"  # "Open a saved briefing" (a widget)
EDITOR_UPLOAD = "atlas_editor_upload"  # the TOML uploader (a widget)
EDITOR_UPLOADED = "_atlas_editor_uploaded"  # file id of the upload already read
EDITOR_PROBLEMS = "_atlas_editor_problems"  # (file name, problems, usable) of the upload
EDITOR_TITLE = "atlas_editor_title"
EDITOR_DESCRIPTION = "atlas_editor_description"
EDITOR_FOR = "_atlas_editor_for"  # id of the draft the title fields were seeded from
EDITOR_SAVED = "_atlas_editor_saved"  # ("ok", path) or ("error", message) of the last save

# --- widget keys named outside Python: Streamlit gives each keyed widget the CSS class
# ``st-key-<key>``, which the Briefing's style selects, and tests click them by key.
SHOW_SECTIONS = "_atlas_show_sections"  # "Show now" below a map that has not drawn
SLIDE_DECK = "atlas_deck"
SLIDE_PDF = "atlas_pdf"
