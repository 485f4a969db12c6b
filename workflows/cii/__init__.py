"""workflows/cii"""
