metadata description = 'Avatar images (POST /api/profile/avatar): a storage account that holds nothing but avatars, whose one container serves single images anonymously over HTTPS (no listing, no account key, no expiring links), written only by the function app\'s identity. See docs/DEPLOY.md, "Avatar images".'

import { resourceTags } from 'common.bicep'

@description('Azure region of the resources.')
param location string

@description('Name of the avatar storage account (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param storageAccountName string

@description('Replication of the avatar storage account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
])
param skuName string

@description('Blob container of the avatar images (Tianmu__Avatars__ContainerName).')
@minLength(3)
@maxLength(63)
param containerName string

@description('Object id of the function app\'s system-assigned identity, which writes and deletes the images.')
param principalId string

@description('Name of the function app; with the role, it makes the assignment name stable across redeployments.')
param functionAppName string

@description('Tags applied to every resource.')
param tags resourceTags

// Storage Blob Data Contributor: read, write and delete blobs (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

// Anonymous read is an account-wide switch that each container must still opt into: this account holds nothing else,
// so the switch exposes nothing but the avatars container (the profiles account keeps it off).
resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: true
    allowCrossTenantReplication: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storageAccount
  name: 'default'
}

// 'Blob': anyone may read an image whose (random, unguessable) name they know; nobody may list the container.
resource avatarsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: containerName
  properties: {
    publicAccess: 'Blob'
  }
}

// Scoped to the container, not the account: the identity can touch avatars and nothing else here.
resource contributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(avatarsContainer.id, functionAppName, storageBlobDataContributor)
  scope: avatarsContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Name of the avatar storage account.')
output storageAccountName string = storageAccount.name

@description('Blob service endpoint, for Tianmu__Storage__BlobServiceUri.')
output blobEndpoint string = storageAccount.properties.primaryEndpoints.blob

@description('Name of the avatars container, for Tianmu__Avatars__ContainerName.')
output containerName string = avatarsContainer.name

@description('HTTPS base URL of the avatar images (the container\'s URL with a trailing slash), for Tianmu__Avatars__PublicBaseUrl.')
output publicBaseUrl string = '${storageAccount.properties.primaryEndpoints.blob}${avatarsContainer.name}/'
