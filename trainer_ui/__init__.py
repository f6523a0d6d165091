"""The Streamlit trainer app: pages over importable logic."""
