"""Placeholder until this page lands."""

import streamlit as st

st.title("Coming soon")
