{{ cookiecutter.description | py }}
