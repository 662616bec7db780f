"""Storage of the collected static files in production: WhiteNoise's hashed, compressed files.

Django rewrites each reference inside CSS and JS files to the referenced file's hashed name, and refuses
to collect when a referenced file is missing. Some front-end packages ship a minified file whose last line
points at a source map they do not ship (leaflet.markercluster.js): such a comment is left as it is, as it
only serves browsers' developer tools. Any other missing reference (an image or a font named by a CSS
file) still stops `tremplin collectstatic`.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def url_converter(self, name, hashed_files, template=None):
        convert = super().url_converter(name, hashed_files, template)

        def converter(matchobj):
            try:
                return convert(matchobj)
            except ValueError:
                if "sourceMappingURL" in matchobj.group(0):
                    return matchobj.group(0)
                raise

        return converter
