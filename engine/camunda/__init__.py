"""engine/camunda"""
