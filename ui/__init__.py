"""Streamlit widgets shared by more than one page (pages stay thin; logic stays in lib/)."""
