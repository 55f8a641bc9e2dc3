#!/usr/bin/python3
# Judges of the service's credential emulation (issue 15): Debian's
# python3-botocore (1.29) and awscli (2.9) obtain credentials from each
# emulated source they support, with only endpoint settings changed, and
# use them for DescribeSignalingChannel on the service. Each test names its
# judge. awscli: IMDSv2 and container credentials through its default chain,
# STS and SSO through its own `aws sts`/`aws sso` commands with
# --endpoint-url. Sources botocore 1.29 cannot point at another endpoint by
# configuration (STS, SSO) go through botocore's own fetchers with a client
# made with endpoint_url; the JavaScript judge
# (credentials-sdk.test.mjs) covers them through AWS_ENDPOINT_URL_*.
# SPDX-License-Identifier: LGPL-2.1-or-later

import datetime
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.request

import botocore
import botocore.credentials
import botocore.session
from botocore.exceptions import ClientError

SERVER = os.environ.get('KVS_SERVER')
KEY = 'AKIDCREDJUDGE0000001'
SECRET = 'cred/judge+secret/0123456789abcdefghijkl'
REGION = 'us-west-2'
CHANNEL = 'judge-channel'
ROLE = 'arn:aws:iam::123456789012:role/kvs-judge-role'


def clean_env(**extra):
    """The environment of a judge: nothing of the developer's AWS setup,
    no file outside the repository, no instance metadata unless asked."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith('AWS_') and k != 'BOTO_CONFIG'}
    env.update(AWS_CONFIG_FILE='/nonexistent/kvs-test/config',
               AWS_SHARED_CREDENTIALS_FILE='/nonexistent/kvs-test/credentials',
               BOTO_CONFIG='/nonexistent/kvs-test/boto',
               AWS_EC2_METADATA_DISABLED='true',
               AWS_PAGER='', AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION)
    env.update(extra)
    return env


class Judge(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not SERVER:
            raise unittest.SkipTest('KVS_SERVER is not set')
        cls.proc = subprocess.Popen(
            [SERVER, '--listen', '127.0.0.1:0', '--region', REGION,
             '--access-key', KEY, '--secret-key', SECRET, '--control',
             '--viewer-dir', 'none', '--create-channel', CHANNEL,
             '--emulate-credentials', '--container-token', 'container-tok',
             '--sso-token', 'sso-access-token',
             '--web-identity-token', 'oidc-token-1'],
            stdout=subprocess.PIPE, text=True)
        line = cls.proc.stdout.readline().strip()
        prefix = 'kvs-signaling-server listening on '
        assert line.startswith(prefix + 'http://127.0.0.1:'), line
        cls.url = line[len(prefix):]
        cls.tmp = tempfile.mkdtemp(prefix='kvs-cred-judge-')

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        assert cls.proc.wait(10) == 0
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def session(self, **env):
        """A botocore session reading only @env (os.environ is swapped for
        the session's configuration lookups)."""
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(clean_env(**env))
        self.addCleanup(lambda: (os.environ.clear(), os.environ.update(saved)))
        return botocore.session.get_session()

    def describe(self, session, creds=None):
        kv = session.create_client(
            'kinesisvideo', region_name=REGION, endpoint_url=self.url,
            aws_access_key_id=creds.access_key if creds else None,
            aws_secret_access_key=creds.secret_key if creds else None,
            aws_session_token=creds.token if creds else None)
        info = kv.describe_signaling_channel(ChannelName=CHANNEL)
        self.assertEqual(info['ChannelInfo']['ChannelName'], CHANNEL)
        return kv

    def sts_creator(self, session):
        return functools.partial(session.create_client, endpoint_url=self.url)

    def control(self, path):
        req = urllib.request.Request(self.url + path, data=b'{}',
                                     method='POST')
        with urllib.request.urlopen(req) as r:
            return json.load(r)

    # ---- botocore 1.29 --------------------------------------------------

    def test_botocore_sts_assume_role(self):
        s = self.session()
        source = botocore.credentials.Credentials(KEY, SECRET)
        fetcher = botocore.credentials.AssumeRoleCredentialFetcher(
            client_creator=self.sts_creator(s), source_credentials=source,
            role_arn=ROLE, extra_args={'RoleSessionName': 'botocore-judge'})
        creds = botocore.credentials.DeferredRefreshableCredentials(
            method='assume-role', refresh_using=fetcher.fetch_credentials)
        frozen = creds.get_frozen_credentials()
        self.assertTrue(frozen.access_key.startswith('ASIA'))
        self.describe(s, frozen)
        sts = s.create_client('sts', region_name=REGION, endpoint_url=self.url,
                              aws_access_key_id=frozen.access_key,
                              aws_secret_access_key=frozen.secret_key,
                              aws_session_token=frozen.token)
        ident = sts.get_caller_identity()
        self.assertEqual(
            ident['Arn'],
            'arn:aws:sts::123456789012:assumed-role/kvs-judge-role/'
            'botocore-judge')

    def test_botocore_sts_web_identity(self):
        s = self.session()
        path = os.path.join(self.tmp, 'web-identity-token')
        with open(path, 'w') as f:
            f.write('oidc-token-1')
        fetcher = botocore.credentials.AssumeRoleWithWebIdentityCredentialFetcher(
            client_creator=self.sts_creator(s),
            web_identity_token_loader=botocore.utils.FileWebIdentityTokenLoader(
                path),
            role_arn=ROLE, extra_args={'RoleSessionName': 'web-judge'})
        creds = botocore.credentials.DeferredRefreshableCredentials(
            method='assume-role-with-web-identity',
            refresh_using=fetcher.fetch_credentials)
        self.describe(s, creds.get_frozen_credentials())

    def test_botocore_sts_web_identity_bad_token(self):
        s = self.session()
        sts = s.create_client('sts', region_name=REGION, endpoint_url=self.url,
                              config=botocore.config.Config(
                                  signature_version=botocore.UNSIGNED))
        with self.assertRaises(ClientError) as cm:
            sts.assume_role_with_web_identity(
                RoleArn=ROLE, RoleSessionName='web-judge',
                WebIdentityToken='not-a-known-token')
        self.assertEqual(cm.exception.response['Error']['Code'],
                         'InvalidIdentityToken')

    def test_botocore_imds_v2_default_chain(self):
        s = self.session(AWS_EC2_METADATA_DISABLED='false',
                         AWS_EC2_METADATA_SERVICE_ENDPOINT=self.url + '/')
        creds = s.get_credentials()
        self.assertIsNotNone(creds)
        self.assertEqual(creds.method, 'iam-role')
        self.describe(s)

    def test_botocore_container_ecs_default_chain(self):
        s = self.session(
            AWS_CONTAINER_CREDENTIALS_FULL_URI=self.url + '/v2/credentials/t1',
            AWS_CONTAINER_AUTHORIZATION_TOKEN='container-tok')
        creds = s.get_credentials()
        self.assertEqual(creds.method, 'container-role')
        self.describe(s)

    def test_botocore_container_eks_pod_identity_default_chain(self):
        s = self.session(
            AWS_CONTAINER_CREDENTIALS_FULL_URI=self.url + '/v1/credentials',
            AWS_CONTAINER_AUTHORIZATION_TOKEN='container-tok')
        self.assertEqual(s.get_credentials().method, 'container-role')
        self.describe(s)

    def test_botocore_container_wrong_token(self):
        s = self.session(
            AWS_CONTAINER_CREDENTIALS_FULL_URI=self.url + '/v1/credentials',
            AWS_CONTAINER_AUTHORIZATION_TOKEN='other')
        with self.assertRaises(Exception):
            s.get_credentials().get_frozen_credentials()

    def test_botocore_sso_get_role_credentials(self):
        s = self.session()
        expires = (datetime.datetime.now(datetime.timezone.utc) +
                   datetime.timedelta(hours=1)).strftime('%Y-%m-%dT%H:%M:%SZ')
        fetcher = botocore.credentials.SSOCredentialFetcher(
            'https://kvs-test.awsapps.com/start', REGION, 'kvs-sso-role',
            '123456789012', self.sts_creator(s),
            token_loader=lambda start_url: {'accessToken': 'sso-access-token',
                                            'expiresAt': expires})
        creds = botocore.credentials.DeferredRefreshableCredentials(
            method='sso', refresh_using=fetcher.fetch_credentials)
        self.describe(s, creds.get_frozen_credentials())

    def test_botocore_vended_credentials_expire(self):
        s = self.session()
        sts = s.create_client('sts', region_name=REGION, endpoint_url=self.url,
                              aws_access_key_id=KEY,
                              aws_secret_access_key=SECRET)
        c = sts.assume_role(RoleArn=ROLE,
                            RoleSessionName='expiry-judge')['Credentials']
        frozen = botocore.credentials.ReadOnlyCredentials(
            c['AccessKeyId'], c['SecretAccessKey'], c['SessionToken'])
        kv = self.describe(s, frozen)
        self.control('/_control/expire-credentials')
        with self.assertRaises(ClientError) as cm:
            kv.describe_signaling_channel(ChannelName=CHANNEL)
        self.assertEqual(cm.exception.response['Error']['Code'],
                         'ExpiredTokenException')
        bogus = s.create_client('kinesisvideo', region_name=REGION,
                                endpoint_url=self.url,
                                aws_access_key_id=c['AccessKeyId'],
                                aws_secret_access_key=c['SecretAccessKey'],
                                aws_session_token='IQoJbogus')
        with self.assertRaises(ClientError) as cm:
            bogus.describe_signaling_channel(ChannelName=CHANNEL)
        self.assertEqual(cm.exception.response['Error']['Code'],
                         'UnrecognizedClientException')

    # ---- awscli 2.9 (Debian) --------------------------------------------

    def aws(self, args, **env):
        aws = shutil.which('aws', path='/usr/bin')
        if aws is None:
            self.skipTest('Debian awscli is not installed (/usr/bin/aws)')
        r = subprocess.run(
            [aws] + args + ['--endpoint-url', self.url, '--region', REGION,
                            '--output', 'json'],
            env=clean_env(HOME=self.tmp, **env), capture_output=True,
            text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def awscli(self, **env):
        out = self.aws(['kinesisvideo', 'describe-signaling-channel',
                        '--channel-name', CHANNEL], **env)
        self.assertEqual(out['ChannelInfo']['ChannelName'], CHANNEL)

    def awscli_with(self, c):
        self.awscli(AWS_ACCESS_KEY_ID=c['AccessKeyId'],
                    AWS_SECRET_ACCESS_KEY=c['SecretAccessKey'],
                    AWS_SESSION_TOKEN=c['SessionToken'])

    def test_awscli_sts_assume_role(self):
        c = self.aws(['sts', 'assume-role', '--role-arn', ROLE,
                      '--role-session-name', 'awscli-judge'],
                     AWS_ACCESS_KEY_ID=KEY,
                     AWS_SECRET_ACCESS_KEY=SECRET)['Credentials']
        self.awscli_with(c)

    def test_awscli_sts_web_identity(self):
        c = self.aws(['sts', 'assume-role-with-web-identity', '--role-arn',
                      ROLE, '--role-session-name', 'awscli-web',
                      '--web-identity-token', 'oidc-token-1'])['Credentials']
        self.awscli_with(c)

    def test_awscli_sso_get_role_credentials(self):
        r = self.aws(['sso', 'get-role-credentials', '--role-name',
                      'kvs-sso-role', '--account-id', '123456789012',
                      '--access-token', 'sso-access-token'])
        c = r['roleCredentials']
        self.awscli_with({'AccessKeyId': c['accessKeyId'],
                          'SecretAccessKey': c['secretAccessKey'],
                          'SessionToken': c['sessionToken']})

    def test_awscli_imds_v2(self):
        self.awscli(AWS_EC2_METADATA_DISABLED='false',
                    AWS_EC2_METADATA_SERVICE_ENDPOINT=self.url + '/')

    def test_awscli_container_ecs(self):
        self.awscli(
            AWS_CONTAINER_CREDENTIALS_FULL_URI=self.url + '/v2/credentials/t2',
            AWS_CONTAINER_AUTHORIZATION_TOKEN='container-tok')

    def test_awscli_container_eks_pod_identity(self):
        self.awscli(
            AWS_CONTAINER_CREDENTIALS_FULL_URI=self.url + '/v1/credentials',
            AWS_CONTAINER_AUTHORIZATION_TOKEN='container-tok')


if __name__ == '__main__':
    unittest.main(verbosity=2)
