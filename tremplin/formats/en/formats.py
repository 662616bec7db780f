# English keeps Django's formats: this module exists so that FORMAT_MODULE_PATH covers both languages.
