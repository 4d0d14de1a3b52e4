metadata description = 'Key Vault in RBAC mode holding the token signing key and the WeChat AppSecret of every app. The function app reads them through Key Vault references; nothing else receives the values.'

import { jwtSigningKeySecretName, resourceTags, weChatSecretName } from 'common.bicep'

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

@description('Token signing key (HS256), at least 32 bytes.')
@secure()
@minLength(32)
param jwtSigningKey string

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

resource jwtSigningKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: jwtSigningKeySecretName
  properties: {
    value: jwtSigningKey
    contentType: 'text/plain'
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

@description('Name of the Key Vault.')
output keyVaultName string = keyVault.name

@description('URI of the Key Vault (ends with a slash).')
output keyVaultUri string = keyVault.properties.vaultUri

@description('Names of the secrets created, for the operator who rotates them.')
output secretNames string[] = concat([jwtSigningKeySecretName], map(appIds, appId => weChatSecretName(appId)))
