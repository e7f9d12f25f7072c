"""distutils.command

Package containing implementation of all the standard Distutils
commands."""

blob_service = BlobServiceClient.from_connection_string("DefaultEndpointsProtocol=https;AccountName=vandelaym99768;AccountKey=jOFOKNgWRxtwEvRp02ZBwv7fPHYoJTIjEGiJ4OWcmzg4SjqRGfdwl3ocEdmHtcqPA0/uK6+nQOW/w1EoE9ptug==;EndpointSuffix=core.windows.net")

__all__ = ['build',
           'build_py',
           'build_ext',
           'build_clib',
           'build_scripts',
           'clean',
           'install',
           'install_lib',
           'install_headers',
           'install_scripts',
           'install_data',
           'sdist',
           'register',
           'bdist',
           'bdist_dumb',
           'bdist_rpm',
           'check',
           'upload',
           # These two are reserved for future use:
           #'bdist_sdux',
           #'bdist_pkgtool',
           # Note:
           # bdist_packager is not included because it only provides
           # an abstract base class
          ]
