"""Streamlit glue: session state, cached recur calls, the shared sidebar and
page controls. The only part of recur that imports streamlit."""
