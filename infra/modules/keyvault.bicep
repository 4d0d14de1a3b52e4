metadata description = 'Key Vault in RBAC mode holding the token signing keys, the WeChat AppSecret of every app and the optional server keys and message push secrets. The function app reads them through Key Vault references; nothing else receives the values.'

import {
  jwtPreviousPublicKeysSecretName
  jwtPrivateKeySecretName
  pushAesKeysByApp
  pushAesKeySecretName
  pushTokensByApp
  pushTokenSecretName
  resourceTags
  serverKeysByApp
  serverKeySecretName
  weChatSecretName
} from 'common.bicep'

@description('Azure region of the resources.')
param location string

@description('Name of the Key Vault (3-24 letters, digits and hyphens).')
@minLength(3)
@maxLength(24)
param keyVaultName string

@description('Purge protection: a deleted vault and its secrets cannot be purged before the retention period ends. It cannot be turned off again once on.')
param enablePurgeProtection bool

@description('Days a deleted vault or secret stays recoverable.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

@description('WeChat app ids served by this deployment.')
@minLength(1)
param appIds string[]

@description('WeChat AppSecret of each app, keyed by app id.')
@secure()
param appSecrets { *: string }

@description('Current token signing key: a PEM PKCS#8 P-256 private key (-----BEGIN PRIVATE KEY-----).')
@secure()
param jwtPrivateKey string

@description('PEM bundle of retired public keys whose tokens are still accepted; empty for none.')
@secure()
param jwtPreviousPublicKeys string

@description('Server key of each app that has server routes, keyed by app id.')
param appServerKeys serverKeysByApp

@description('WeChat message push token of each app that receives pushes, keyed by app id.')
param appPushTokens pushTokensByApp

@description('WeChat message push EncodingAESKey of each app in safe mode, keyed by app id.')
param appPushAesKeys pushAesKeysByApp

@description('Resource id of the Log Analytics workspace that receives the diagnostic logs.')
param logAnalyticsWorkspaceId string

@description('Tags applied to every resource.')
param tags resourceTags

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: enablePurgeProtection ? true : null
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

// A SEC1 key (`-----BEGIN EC PRIVATE KEY-----`, from `openssl ecparam -genkey`) or a public key would stop the app at
// start-up; refuse it here, before anything is deployed.
resource jwtPrivateKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: jwtPrivateKeySecretName
  properties: {
    value: contains(jwtPrivateKey, '-----BEGIN PRIVATE KEY-----')
      ? jwtPrivateKey
      : fail('jwtPrivateKey must be a PEM PKCS#8 private key (-----BEGIN PRIVATE KEY-----): see docs/DEPLOY.md.')
    contentType: 'application/x-pem-file'
  }
}

// Public keys are not secret; they live beside the private key so that a rotation changes one place.
resource jwtPreviousPublicKeysSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(jwtPreviousPublicKeys)) {
  parent: keyVault
  name: jwtPreviousPublicKeysSecretName
  properties: {
    value: jwtPreviousPublicKeys
    contentType: 'application/x-pem-file'
  }
}

resource weChatSecrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [
  for appId in appIds: {
    parent: keyVault
    name: weChatSecretName(appId)
    properties: {
      value: appSecrets[appId]
      contentType: 'text/plain'
    }
  }
]

// Optional per-app secrets: one loop over the served apps each, a secret only where the object has the app's id
// (entries for app ids that are not in appIds are ignored).
resource serverKeySecrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [
  for appId in appIds: if (contains(appServerKeys, appId)) {
    parent: keyVault
    name: serverKeySecretName(appId)
    properties: {
      value: appServerKeys[appId]
      contentType: 'text/plain'
    }
  }
]

resource pushTokenSecrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [
  for appId in appIds: if (contains(appPushTokens, appId)) {
    parent: keyVault
    name: pushTokenSecretName(appId)
    properties: {
      value: appPushTokens[appId]
      contentType: 'text/plain'
    }
  }
]

resource pushAesKeySecrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [
  for appId in appIds: if (contains(appPushAesKeys, appId)) {
    parent: keyVault
    name: pushAesKeySecretName(appId)
    properties: {
      value: appPushAesKeys[appId]
      contentType: 'text/plain'
    }
  }
]

// Who read or changed which secret, and who was refused.
resource auditLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: keyVault
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'AuditEvent'
        enabled: true
      }
    ]
  }
}

@description('Name of the Key Vault.')
output keyVaultName string = keyVault.name

@description('URI of the Key Vault (ends with a slash).')
output keyVaultUri string = keyVault.properties.vaultUri

@description('Names of the secrets every deployment creates (the private key, then one AppSecret per app), for the operator who rotates them. The optional ones follow the same pattern: jwt-previous-public-keys, server-key-<app-id>, push-token-<app-id>, push-aes-key-<app-id>.')
output secretNames string[] = concat([jwtPrivateKeySecretName], map(appIds, appId => weChatSecretName(appId)))
