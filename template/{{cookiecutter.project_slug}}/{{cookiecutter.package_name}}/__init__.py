{{ cookiecutter.description | pydoc }}
