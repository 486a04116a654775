"""{{ cookiecutter.description | replace('"', "'") }}"""
